// The page's own handlers: they run only when the guard lets the submit through.
const sent = document.getElementById('sent');
const log = (what) => { const li = document.createElement('li'); li.textContent = what; sent.append(li); };
document.getElementById('ticket').addEventListener('submit', (e) => {
  e.preventDefault(); // a real page would post it
  log(`ticket: ${document.getElementById('body').value.length} chars`);
});
document.getElementById('chat').addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey) {
    e.preventDefault();
    log(`chat: ${e.target.innerText.length} chars`);
    e.target.textContent = '';
  }
});
