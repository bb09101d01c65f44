/* shop.js — the demo shop's "buy" button: a pretend checkout that reports the purchase to the
 * chat service with ChatWidget.track("purchase", …), as a real shop would on its thank-you page. */
(function () {
  'use strict';
  document.addEventListener('click', function (e) {
    var button = e.target.closest && e.target.closest('.buy');
    if (!button) return;
    var order = 'LUM-' + Date.now().toString(36).toUpperCase();
    if (window.ChatWidget) {
      window.ChatWidget.track('purchase', { order: order, value: Number(button.dataset.price), currency: 'EUR' });
    }
    var note = document.querySelector('.bought') || document.createElement('p');
    note.className = 'bought';
    note.setAttribute('role', 'status');
    note.textContent = 'Merci ! Commande ' + order + ' enregistrée (démo, rien n’est débité).';
    button.insertAdjacentElement('afterend', note);
  });
})();
