import { initAll } from '/assets/govuk-frontend.min.js'
import '/assets/timeout.js'
initAll()

// Tells the server JavaScript runs, so it shows follow-up questions under their options (conditional
// reveal) instead of on a page of their own.
document.querySelectorAll('input.heard-js').forEach((input) => { input.value = 'on' })

// The conditional reveal, without GOV.UK Frontend's aria-expanded on radios and checkboxes (which ARIA
// does not allow on them): a chosen option shows its follow-up questions, any other hides them.
const reveals = document.querySelectorAll('input[data-heard-reveal]')
function sync () {
  reveals.forEach((input) => {
    const target = document.getElementById(input.dataset.heardReveal)
    if (target) {
      target.classList.toggle(input.type === 'radio' ? 'govuk-radios__conditional--hidden' : 'govuk-checkboxes__conditional--hidden', !input.checked)
    }
  })
}
document.querySelectorAll('input[type=radio], input[type=checkbox]').forEach((input) => input.addEventListener('change', sync))
sync()
