import { initAll } from '/assets/govuk-frontend.min.js'
initAll()
// Tells the server JavaScript runs, so it shows follow-up questions under their options (conditional
// reveal) instead of on a page of their own.
document.querySelectorAll('input.heard-js').forEach((input) => { input.value = 'on' })
