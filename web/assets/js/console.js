// The organiser console works without this script; it lets a file stand in
// for typing: the organiser key file on the sign-in page, the roll CSV on a
// poll's console. The file is read here, into the form's own field, and
// goes nowhere else. No cryptography here.

/** Shows a hidden file field and copies the chosen file's text into `target`. */
function fileInto(fieldId, inputId, targetId) {
  const field = document.getElementById(fieldId);
  const input = document.getElementById(inputId);
  const target = document.getElementById(targetId);
  if (!field || !input || !target) return;
  field.hidden = false;
  input.addEventListener('change', async () => {
    const file = input.files && input.files[0];
    if (!file) return;
    target.value = (await file.text()).trim() + (targetId === 'roll-csv' ? '\n' : '');
  });
}

fileInto('key-file-field', 'key-file', 'key');
fileInto('roll-file-field', 'roll-file', 'roll-csv');

// After a refusal, the error summary takes the focus (as on the other forms).
const summary = document.getElementById('error-summary');
if (summary) summary.focus();
