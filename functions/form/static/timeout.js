// Warns before the answers expire (WCAG 2.2 SC 2.2.1, Timing Adjustable) and extends their lifetime
// without a new page, so what is typed on this page stays in its boxes. The server says how many
// seconds are left (data-seconds-left): counted from this page's load, so the device's clock does not matter.
const box = document.getElementById('heard-lifetime')
const warning = document.getElementById('heard-timeout')
if (box && warning) {
  const extendButton = document.getElementById('heard-extend')
  const dismissButton = document.getElementById('heard-dismiss')
  const status = document.getElementById('heard-extended')
  const warnMs = Number(box.dataset.warnSeconds || 120) * 1000
  let timer = null
  let returnFocus = null

  const show = () => {
    returnFocus = document.activeElement
    warning.hidden = false
    warning.focus()
  }
  const hide = () => {
    warning.hidden = true
    if (returnFocus && document.contains(returnFocus) && returnFocus !== document.body) returnFocus.focus()
  }
  const schedule = (secondsLeft) => {
    clearTimeout(timer)
    timer = setTimeout(show, Math.max(0, secondsLeft * 1000 - warnMs))
  }

  extendButton.addEventListener('click', async () => {
    const first = document.querySelector('input[name=state]')
    if (!first) return
    const body = new URLSearchParams({ state: first.value })
    let reply
    try {
      reply = await fetch('/extend', { method: 'POST', body, credentials: 'same-origin' })
    } catch (error) {
      status.textContent = 'We could not reach the server. Go on to the next page to keep your answers.'
      return
    }
    if (!reply.ok) {
      status.textContent = 'Your answers have already been deleted. What you typed on this page is kept when you continue.'
      hide()
      return
    }
    const fresh = await reply.json()
    document.querySelectorAll('input[name=state]').forEach((input) => { input.value = fresh.state })
    box.dataset.expiresAt = fresh.expires_at
    document.getElementById('heard-until').textContent = fresh.until
    warning.querySelectorAll('.heard-timeout-until').forEach((el) => { el.textContent = fresh.until })
    status.textContent = `Done. We keep your answers until ${fresh.until} now.`
    hide()
    schedule(fresh.seconds_left)
  })
  dismissButton.addEventListener('click', hide)
  warning.addEventListener('keydown', (event) => { if (event.key === 'Escape') hide() })
  schedule(Number(box.dataset.secondsLeft))
}
