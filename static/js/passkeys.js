// Passkeys: make one (data-passkey="register") or use one as the second step (data-passkey="verify").
// The server's "begin" endpoint gives the options and a challenge; the browser makes or uses the
// passkey (WebAuthn); the answer goes to the "complete" endpoint, which says where to go next.
// The section stays hidden where the browser has no WebAuthn: the page still works without it.

const fromBase64url = (text) => {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '=')
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)).buffer
}

const toBase64url = (buffer) => {
  let binary = ''
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

const withIds = (list) => (list || []).map((item) => ({ ...item, id: fromBase64url(item.id) }))

async function makePasskey (options) {
  const credential = await navigator.credentials.create({
    publicKey: {
      ...options,
      challenge: fromBase64url(options.challenge),
      user: { ...options.user, id: fromBase64url(options.user.id) },
      excludeCredentials: withIds(options.excludeCredentials)
    }
  })
  const response = credential.response
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: toBase64url(response.clientDataJSON),
      attestationObject: toBase64url(response.attestationObject),
      transports: typeof response.getTransports === 'function' ? response.getTransports() : []
    },
    clientExtensionResults: credential.getClientExtensionResults(),
    authenticatorAttachment: credential.authenticatorAttachment
  }
}

async function usePasskey (options) {
  const credential = await navigator.credentials.get({
    publicKey: {
      ...options,
      challenge: fromBase64url(options.challenge),
      allowCredentials: withIds(options.allowCredentials)
    }
  })
  const response = credential.response
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: toBase64url(response.clientDataJSON),
      authenticatorData: toBase64url(response.authenticatorData),
      signature: toBase64url(response.signature),
      userHandle: response.userHandle ? toBase64url(response.userHandle) : undefined
    },
    clientExtensionResults: credential.getClientExtensionResults(),
    authenticatorAttachment: credential.authenticatorAttachment
  }
}

function showError (message) {
  const summary = document.querySelector('[data-passkey-error]')
  summary.querySelector('[data-passkey-error-message]').textContent = message
  summary.hidden = false
  if (!document.title.startsWith('Error: ')) document.title = `Error: ${document.title}`
  summary.focus()
}

async function post (url, csrfToken, body) {
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': csrfToken },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  const answer = (response.headers.get('content-type') || '').includes('application/json') ? await response.json() : {}
  return { ok: response.ok, answer }
}

const CANCELLED = {
  register: 'Your passkey was not created. Select ‘Create passkey’ to try again.',
  verify: 'Your passkey was not used. Select ‘Use your passkey’ to try again, or enter a code.'
}

function start (section) {
  const kind = section.dataset.passkey
  const button = section.querySelector('[data-passkey-start]')
  const csrfToken = document.querySelector('input[name="csrfmiddlewaretoken"]').value
  // Where to go after signing in (?next=) is the complete endpoint's to check, as the form's is.
  const completeUrl = section.dataset.completeUrl + window.location.search

  section.hidden = false
  const unsupported = document.querySelector('[data-passkey-unsupported]')
  if (unsupported) unsupported.hidden = true

  button.addEventListener('click', async () => {
    button.disabled = true
    try {
      const begun = await post(section.dataset.beginUrl, csrfToken)
      if (!begun.ok) {
        showError(begun.answer.detail || 'Something went wrong. Try again.')
        return
      }
      let credential
      try {
        credential = kind === 'register' ? await makePasskey(begun.answer) : await usePasskey(begun.answer)
      } catch (error) {
        // NotAllowedError: the person cancelled, or the time ran out; InvalidStateError: this
        // authenticator holds one of their passkeys already.
        showError(error.name === 'InvalidStateError'
          ? 'This device already holds one of your passkeys. Use another device or security key.'
          : CANCELLED[kind])
        return
      }
      const completed = await post(completeUrl, csrfToken, credential)
      if (completed.answer.redirect_url) {
        window.location.assign(completed.answer.redirect_url)
        return
      }
      showError(completed.answer.detail || 'Something went wrong. Try again.')
    } catch (error) {
      showError('Something went wrong. Check your connection and try again.')
    } finally {
      button.disabled = false
    }
  })
}

if (window.PublicKeyCredential && navigator.credentials) {
  document.querySelectorAll('[data-passkey]').forEach(start)
}
