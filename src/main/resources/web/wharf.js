// Copy buttons: <button data-copy="id"> copies the value (or text) of the element with that id. Loaded as a file:
// the Content-Security-Policy allows no inline script.
document.addEventListener('click', function (event) {
  var button = event.target.closest('[data-copy]');
  if (!button) {
    return;
  }
  var source = document.getElementById(button.getAttribute('data-copy'));
  var text = source.value !== undefined ? source.value : source.textContent;
  source.select && source.select();
  if (navigator.clipboard) {
    navigator.clipboard.writeText(text).then(function () {
      button.textContent = 'Copied';
    });
  }
});
