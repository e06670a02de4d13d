// ISA Portal's own script: starts GOV.UK Frontend and warns before an idle sign-out.
import { initAll } from '../govuk/govuk-frontend.min.js'
import { keepAcrossSignIn, keepTyping } from './keep-typing.js'

initAll()

function formatRemaining (seconds) {
  if (seconds >= 60) {
    const minutes = Math.ceil(seconds / 60)
    return minutes === 1 ? '1 minute' : `${minutes} minutes`
  }
  return seconds === 1 ? '1 second' : `${seconds} seconds`
}

function csrfToken () {
  const input = document.querySelector('input[name="csrfmiddlewaretoken"]')
  return input ? input.value : ''
}

function startIdleWarning (body) {
  const timeout = parseInt(body.dataset.idleTimeout, 10)
  const warning = parseInt(body.dataset.idleWarning, 10)
  const dialog = document.getElementById('timeout-dialog')
  if (!timeout || !dialog || typeof dialog.showModal !== 'function') return

  const countdown = dialog.querySelector('[data-countdown]')
  const stayButton = dialog.querySelector('[data-stay-signed-in]')
  let deadline = Date.now() + timeout * 1000
  let ticker = null
  let leaving = false

  // At the deadline the server has ended the session (it ends it at the limit): keep what is typed
  // on the page, and say so on the signed-out page, from which signing in again comes back here.
  async function signedOut () {
    if (leaving) return
    leaving = true
    const left = await remainingOnServer()
    if (left > 0) { // this tab's clock ran ahead of the server's: carry on counting
      deadline = Date.now() + left * 1000
      leaving = false
      return
    }
    keepTyping(body.dataset.user)
    const here = window.location.pathname + window.location.search
    window.location.href = body.dataset.signedOutUrl + '?next=' + encodeURIComponent(here)
  }

  async function remainingOnServer () {
    // Another tab may have kept the session alive: ask the server before warning.
    const response = await fetch(body.dataset.sessionStatusUrl, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
    if (response.redirected || !response.ok) return 0
    return (await response.json()).remaining
  }

  function tick () {
    const left = Math.max(0, Math.round((deadline - Date.now()) / 1000))
    countdown.textContent = formatRemaining(left)
    if (left === 0) signedOut()
  }

  async function check () {
    const left = await remainingOnServer()
    deadline = Date.now() + left * 1000
    if (left > warning) {
      dialog.open && dialog.close()
      window.setTimeout(check, (left - warning) * 1000)
      return
    }
    if (!dialog.open) dialog.showModal()
    tick()
    ticker = ticker || window.setInterval(tick, 1000)
  }

  stayButton.addEventListener('click', async () => {
    const response = await fetch(body.dataset.sessionExtendUrl, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'X-CSRFToken': csrfToken() }
    })
    if (!response.ok) {
      signedOut()
      return
    }
    window.clearInterval(ticker)
    ticker = null
    dialog.close()
    window.setTimeout(check, (timeout - warning) * 1000)
  })

  window.setTimeout(check, Math.max(0, timeout - warning) * 1000)
}

if (document.body.dataset.idleTimeout) {
  startIdleWarning(document.body)
}
keepAcrossSignIn(document.body)

// Tables on a phone: each row becomes a list of "column: value" pairs (styled in app.css below
// 641 px). The column names come from the table's own header; cells that already carry a
// data-label keep it, and a table marked data-app-no-stack is left as it is.
function stackTables () {
  document.querySelectorAll('table.govuk-table:not([data-app-no-stack])').forEach(function (table) {
    const headers = Array.from(table.querySelectorAll('thead th')).map(function (th) {
      return th.textContent.trim()
    })
    if (!headers.length) return
    table.querySelectorAll('tbody tr').forEach(function (row) {
      Array.from(row.children).forEach(function (cell, index) {
        if (!cell.hasAttribute('data-label') && headers[index]) cell.setAttribute('data-label', headers[index])
      })
    })
    table.classList.add('app-table--stack')
  })
}

stackTables()
