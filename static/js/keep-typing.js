// What a person has typed survives being signed out for doing nothing (issue 14, item 4).
//
// When the idle countdown ends, the fields of the page's forms are kept in this tab's
// sessionStorage (never localStorage: it goes when the tab closes) with the id of the person
// signed in, and the browser goes to the "you have been signed out" page. A form sent after the
// server had already ended the session is kept the same way. Signing in again returns to the
// page, which fills the fields in again for the same person only, once, and says so. Signing out
// on purpose forgets everything kept. Passwords, hidden fields and files are never kept.

const PREFIX = 'isa-kept:'
const PENDING = 'isa-kept-pending'
const LAST_SENT = 'isa-kept-last-sent'
const SKIPPED = ['password', 'hidden', 'file', 'submit', 'button', 'reset', 'image']

function here () {
  return window.location.pathname + window.location.search
}

function store () {
  try {
    return window.sessionStorage
  } catch (error) {
    return null
  }
}

function fieldsOf (form) {
  return Array.from(form.elements).filter(function (field) {
    return field.name && !SKIPPED.includes(field.type) && field.name !== 'csrfmiddlewaretoken'
  })
}

function forms () {
  return Array.from(document.querySelectorAll('main form')).filter(function (form) {
    return (form.getAttribute('method') || '').toLowerCase() === 'post'
  })
}

function snapshot () {
  let typed = false
  const values = forms().map(function (form) {
    return fieldsOf(form).map(function (field) {
      if (field.type === 'checkbox' || field.type === 'radio') {
        typed = typed || field.checked !== field.defaultChecked
        return [field.name, field.value, field.checked]
      }
      typed = typed || field.value !== field.defaultValue
      return [field.name, field.value]
    })
  })
  return typed ? values : null
}

// Keep what is typed on this page, to be filled in after signing in again.
export function keepTyping (user) {
  const storage = store()
  const values = snapshot()
  if (!storage || !values) return
  storage.setItem(PREFIX + here(), JSON.stringify({ user: user, forms: values }))
  storage.setItem(PENDING, PREFIX + here())
}

function fillIn (kept) {
  const pageForms = forms()
  kept.forms.forEach(function (fields, index) {
    const form = pageForms[index]
    if (!form) return
    const current = fieldsOf(form)
    fields.forEach(function (saved, position) {
      const field = current[position]
      if (!field || field.name !== saved[0]) return
      if (field.type === 'checkbox' || field.type === 'radio') {
        if (field.value === saved[1]) field.checked = saved[2]
      } else {
        field.value = saved[1]
      }
    })
  })
  const main = document.querySelector('main')
  if (!main) return
  const banner = document.createElement('div')
  banner.className = 'govuk-notification-banner'
  banner.setAttribute('role', 'region')
  banner.setAttribute('aria-labelledby', 'kept-typing-title')
  banner.setAttribute('data-kept-typing', '')
  banner.innerHTML =
    '<div class="govuk-notification-banner__header">' +
    '<h2 class="govuk-notification-banner__title" id="kept-typing-title">Important</h2></div>' +
    '<div class="govuk-notification-banner__content">' +
    '<p class="govuk-notification-banner__heading">We have filled in what you had typed before you were signed out.</p>' +
    '<p class="govuk-body">Check it, then carry on. Nothing was saved until you save it.</p></div>'
  main.insertBefore(banner, main.firstChild)
}

export function keepAcrossSignIn (body) {
  const storage = store()
  if (!storage) return
  const user = body.dataset.user || ''

  document.addEventListener('submit', function (event) {
    const form = event.target
    if (form.matches('[data-sign-out]')) {
      Object.keys(storage).filter(function (key) { return key.startsWith('isa-kept') }).forEach(function (key) {
        storage.removeItem(key)
      })
      return
    }
    // If the server has already ended the session, this form lands on the signed-out page.
    const values = snapshot()
    if (user && values) storage.setItem(LAST_SENT, JSON.stringify({ key: PREFIX + here(), user: user, forms: values }))
  }, true)

  if (document.querySelector('[data-app-signed-out]')) {
    const sent = storage.getItem(LAST_SENT)
    storage.removeItem(LAST_SENT)
    if (sent) {
      const parsed = JSON.parse(sent)
      storage.setItem(parsed.key, JSON.stringify({ user: parsed.user, forms: parsed.forms }))
      storage.setItem(PENDING, parsed.key)
    }
    return
  }
  storage.removeItem(LAST_SENT)
  if (!user || storage.getItem(PENDING) !== PREFIX + here()) return
  const raw = storage.getItem(PREFIX + here())
  storage.removeItem(PENDING)
  storage.removeItem(PREFIX + here())
  if (!raw) return
  const kept = JSON.parse(raw)
  if (kept.user === user) fillIn(kept)
}
