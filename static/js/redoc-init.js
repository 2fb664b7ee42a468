// Starts ReDoc on /api/v1/redoc/ (templates/api_docs/redoc.html) without an inline script. The
// nonce is this response's Content-Security-Policy nonce: ReDoc sets it on the <style> elements
// it creates at run time, which the policy of that page allows.
(function () {
  "use strict";
  var container = document.getElementById("redoc-container");
  if (!container || !window.Redoc) { return; }
  window.Redoc.init(container.dataset.specUrl, { nonce: container.dataset.nonce }, container);
})();
