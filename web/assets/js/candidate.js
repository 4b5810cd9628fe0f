// The candidate's form. The token comes from the link's fragment (#t=…),
// which browsers never send to the server; it is sent only in the JSON
// body of POST /v1/polls/{poll}/expressions-of-interest. Errors use the
// error summary, linked to each field; answers are kept.
import { api, clearErrors, el, fragment, keepFragmentOnLanguageLinks, localTimes, page, request, showErrors, t } from './common.js';

localTimes();
keepFragmentOnLanguageLinks();
const form = document.getElementById('eoi');
const tokenInput = document.getElementById('token');
const sent = document.getElementById('sent');
const TOKEN = /^[0-9a-f]{32}$/;

const fromLink = fragment().t;
if (fromLink) {
  tokenInput.value = fromLink.trim();
  const field = document.getElementById('token-field');
  if (TOKEN.test(tokenInput.value)) {
    // The field stays in the page (hidden) so errors can still point to it.
    field.hidden = true;
    field.before(el('p', { id: 'token-note', class: 'hint', text: t('candidate.token_from_link') }));
  }
}

function validate(values) {
  const errors = [];
  if (!values.token) errors.push({ field: 'token', text: t('candidate.err_token') });
  else if (!TOKEN.test(values.token)) errors.push({ field: 'token', text: t('candidate.err_token_format') });
  if (!values.name.trim()) errors.push({ field: 'name', text: t('candidate.err_name') });
  else if (new TextEncoder().encode(values.name.trim()).length > 200) errors.push({ field: 'name', text: t('candidate.err_name_long') });
  if (new TextEncoder().encode(values.statement).length > 10000) errors.push({ field: 'statement', text: t('candidate.err_statement_long') });
  return errors;
}

function showTokenField() {
  const field = document.getElementById('token-field');
  field.hidden = false;
  document.getElementById('token-note')?.remove();
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearErrors();
  const values = {
    token: tokenInput.value.trim().toLowerCase(),
    name: document.getElementById('name').value,
    statement: document.getElementById('statement').value,
  };
  const errors = validate(values);
  if (errors.length) {
    if (errors.some((e) => e.field === 'token')) showTokenField();
    showErrors(errors);
    return;
  }
  const attributes = {};
  for (const input of form.querySelectorAll('[data-attribute]')) {
    const v = input.value.trim();
    if (v) attributes[input.dataset.attribute] = v;
  }
  const body = {
    token: values.token,
    candidate: {
      contest_id: Number(document.getElementById('contest').value),
      name: values.name.trim(),
      statement: values.statement,
      attributes,
    },
  };
  const button = form.querySelector('button[type="submit"]');
  const label = button.textContent;
  button.disabled = true;
  button.textContent = t('candidate.sending');
  try {
    await request('POST', api(page.poll, '/expressions-of-interest'), body);
    sent.replaceChildren(
      el('h2', { text: t('candidate.sent_title') }),
      el('p', { text: t('candidate.sent_text') }),
    );
    sent.classList.add('panel-ok');
    sent.hidden = false;
    sent.focus();
  } catch (e) {
    showErrors([serverError(e)]);
    if (e.code === 'invalid_token') showTokenField();
  } finally {
    button.disabled = false;
    button.textContent = label;
  }
});

function serverError(e) {
  switch (e.code) {
    case 'invalid_token':
      return { field: 'token', text: t('candidate.err_token_unknown') };
    case 'wrong_phase':
    case 'timetable':
      return { field: null, text: t('candidate.err_closed') };
    case 'not_pending':
      return { field: null, text: t('candidate.err_decided') };
    case 'invalid_candidate':
      return { field: 'name', text: t('candidate.err_invalid', { message: e.message }) };
    case 'network':
      return { field: null, text: t('err.network') };
    default:
      return { field: null, text: e.status >= 500 ? t('err.server') : e.message };
  }
}
