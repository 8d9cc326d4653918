// Runs WebAuthn ceremonies for forms marked data-webauthn="authenticate" or "register": fetch
// options from the server (a fresh single-use challenge), ask the browser, then post the result
// with the form so the server decides what happens next. Clear messages when it cannot work.
import {
  browserSupportsWebAuthn,
  browserSupportsWebAuthnAutofill,
  startAuthentication,
  startRegistration,
} from '/static/simplewebauthn/index.js';

const messages = {
  unsupported:
    'This browser cannot use passkeys or security keys. Use an up-to-date browser such as Microsoft Edge, Google Chrome, Safari or Firefox, or use another way to sign in.',
  cancelledSignIn:
    'Signing in was cancelled or timed out, or no passkey or security key for this account was found on this device. Try again. If you have none that this application accepts, ask your Registration Authority (RA).',
  cancelledRegister: 'Setting it up was cancelled or timed out. Try again when you are ready.',
  alreadyRegistered: 'This passkey or security key is already set up for your account.',
  wrongSite:
    'Your browser refused because this page is not on Care Identity’s own address. Check the address bar: you may be on a fake site. Do not enter any details here.',
  failed: 'Something went wrong. Reload the page and try again.',
};

function showError(text) {
  const box = document.getElementById('webauthn-error');
  const paragraph = document.getElementById('webauthn-error-text');
  if (!box || !paragraph) return;
  paragraph.textContent = text;
  box.hidden = false;
  box.focus();
}

async function fetchOptions(form, fields) {
  const body = new URLSearchParams({ csrf: form.elements.csrf.value, ...fields });
  const response = await fetch(form.dataset.options, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
    credentials: 'same-origin',
  });
  const json = await response.json().catch(() => ({}));
  if (!response.ok || !json.options)
    throw Object.assign(new Error(json.error || messages.failed), { shown: true });
  return json.options;
}

function submitWith(form, result) {
  form.elements.response.value = JSON.stringify(result);
  HTMLFormElement.prototype.submit.call(form);
}

function messageFor(error, mode) {
  if (error?.shown) return error.message;
  const name = error?.cause?.name ?? error?.name;
  if (name === 'NotAllowedError' || name === 'AbortError') {
    return mode === 'register' ? messages.cancelledRegister : messages.cancelledSignIn;
  }
  if (name === 'SecurityError') return messages.wrongSite;
  if (name === 'InvalidStateError' || error?.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') {
    return messages.alreadyRegistered;
  }
  return messages.failed;
}

function emailOf(form) {
  const field = document.getElementById(form.dataset.emailField || '');
  return field ? field.value.trim() : '';
}

async function run(form) {
  const mode = form.dataset.webauthn;
  if (!browserSupportsWebAuthn()) return showError(messages.unsupported);
  try {
    if (mode === 'register') {
      const optionsJSON = await fetchOptions(form, { intent: form.elements.intent?.value ?? '' });
      submitWith(form, await startRegistration({ optionsJSON }));
    } else {
      const email = emailOf(form);
      const optionsJSON = await fetchOptions(form, email ? { email } : {});
      submitWith(form, await startAuthentication({ optionsJSON }));
    }
  } catch (error) {
    showError(messageFor(error, mode));
  }
}

// Conditional UI: the browser offers passkeys in the email field's autofill, where it can.
async function offerAutofill(form) {
  if (!(await browserSupportsWebAuthnAutofill())) return;
  try {
    const optionsJSON = await fetchOptions(form, {});
    submitWith(form, await startAuthentication({ optionsJSON, useBrowserAutofill: true }));
  } catch {
    // Cancelled by a button press, or not offered: the button still works.
  }
}

for (const form of document.querySelectorAll('form[data-webauthn]')) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form);
  });
  if (form.dataset.conditional === 'true') offerAutofill(form);
}
