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

// Pickers that scale (GOV.UK's accessible-autocomplete, static/autocomplete/, loaded before this
// module). Each enhances what works without JavaScript:
// - select[data-app-autocomplete="options"]: type to find one of the select's own options (agencies);
// - select[data-app-autocomplete="search"]: type to search the server (data-app-source, JSON
//   {results: [{id, label}]}) for any of thousands (children); the choice becomes the select's value;
// - checkboxes in an .app-choose-by-search-group: a search box adds an agency to the chosen list,
//   each with a button to take it off, instead of a wall of boxes.
function enhanceSelects (autocomplete) {
  document.querySelectorAll('select[data-app-autocomplete="options"]').forEach(function (select) {
    autocomplete.enhanceSelectElement({ selectElement: select, defaultValue: '', showAllValues: true, dropdownArrow: function () { return '' } })
  })
  document.querySelectorAll('select[data-app-autocomplete="search"]').forEach(function (select) {
    const byLabel = {}
    let timer = null
    autocomplete.enhanceSelectElement({
      selectElement: select,
      defaultValue: '',
      minLength: 2,
      tNoResults: function () { return 'No child found: check the spelling, or add the child first' },
      source: function (query, populate) {
        window.clearTimeout(timer)
        timer = window.setTimeout(async function () {
          const url = select.dataset.appSource + '?' + new URLSearchParams({ q: query })
          const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
          if (!response.ok) return populate([])
          const results = (await response.json()).results
          results.forEach(function (result) { byLabel[result.label] = String(result.id) })
          populate(results.map(function (result) { return result.label }))
        }, 200)
      },
      onConfirm: function (label) {
        const id = byLabel[label]
        if (!id) return
        let option = Array.from(select.options).find(function (o) { return o.value === id })
        if (!option) {
          option = new Option(label, id)
          select.add(option)
        }
        select.value = id
      }
    })
  })
}

function enhanceCheckboxSearch (autocomplete) {
  document.querySelectorAll('.app-choose-by-search-group .govuk-checkboxes').forEach(function (group, index) {
    const boxes = Array.from(group.querySelectorAll('input[type="checkbox"]'))
    if (!boxes.length) return
    const labelOf = function (box) { return group.querySelector('label[for="' + box.id + '"]').textContent.trim() }
    const fieldset = group.closest('fieldset')
    const wrapper = document.createElement('div')
    wrapper.className = 'govuk-form-group app-choose-by-search'
    const searchId = 'app-choose-' + index
    wrapper.innerHTML = '<label class="govuk-label govuk-label--s" for="' + searchId + '">Add an agency</label>' +
      '<div class="govuk-hint">Type the agency\'s name, then choose it from the list.</div>' +
      '<div class="app-choose-by-search__input"></div>' +
      '<p class="govuk-body govuk-!-font-weight-bold govuk-!-margin-top-4 govuk-!-margin-bottom-1">Chosen</p>' +
      '<p class="govuk-body app-choose-by-search__none">None yet.</p>' +
      '<ul class="govuk-list app-choose-by-search__chosen"></ul>'
    group.parentNode.insertBefore(wrapper, group)
    group.hidden = true
    const chosenList = wrapper.querySelector('.app-choose-by-search__chosen')
    const none = wrapper.querySelector('.app-choose-by-search__none')

    function render () {
      chosenList.innerHTML = ''
      const chosen = boxes.filter(function (box) { return box.checked })
      none.hidden = chosen.length > 0
      chosen.forEach(function (box) {
        const item = document.createElement('li')
        item.className = 'app-choose-by-search__item'
        const name = document.createElement('span')
        name.textContent = labelOf(box) + ' '
        const remove = document.createElement('button')
        remove.type = 'button'
        remove.className = 'govuk-button govuk-button--secondary govuk-!-margin-bottom-0'
        const hidden = document.createElement('span')
        hidden.className = 'govuk-visually-hidden'
        hidden.textContent = ' ' + labelOf(box)
        remove.append('Remove', hidden)
        remove.addEventListener('click', function () { box.checked = false; render() })
        item.append(name, remove)
        chosenList.append(item)
      })
    }

    autocomplete({
      element: wrapper.querySelector('.app-choose-by-search__input'),
      id: searchId,
      minLength: 1,
      confirmOnBlur: false,
      source: function (query, populate) {
        const words = query.toLowerCase().split(/\s+/).filter(Boolean)
        populate(boxes.filter(function (box) {
          const label = labelOf(box).toLowerCase()
          return !box.checked && words.every(function (word) { return label.includes(word) })
        }).map(labelOf))
      },
      onConfirm: function (label) {
        const box = boxes.find(function (b) { return labelOf(b) === label })
        if (box) {
          box.checked = true
          render()
        }
        window.setTimeout(function () {
          const input = document.getElementById(searchId)
          if (input) input.value = ''
        }, 0)
      }
    })
    if (fieldset) fieldset.classList.add('app-choose-by-search__fieldset')
    render()
  })
}

if (window.accessibleAutocomplete) {
  enhanceSelects(window.accessibleAutocomplete)
  enhanceCheckboxSearch(window.accessibleAutocomplete)
}
