// Behaviour shared by every page, in a file because the CSP allows no inline script.

// htmx swaps nothing on a 4xx or 5xx answer, so a click after the session ended or
// a refused action would seem to do nothing. The server marks its error answers to
// htmx with HX-Retarget (the page's main element); those are swapped in.
document.addEventListener("htmx:beforeSwap", (event) => {
  const xhr = event.detail.xhr;
  if (xhr.status >= 400 && xhr.getResponseHeader("HX-Retarget")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// Buttons marked data-print print the page.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
