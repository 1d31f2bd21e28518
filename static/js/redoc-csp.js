/* ReDoc under the site's Content-Security-Policy (templates/drf_spectacular/redoc.html).

   The ReDoc bundle adds <style> elements as soon as it loads, before ReDoc.init can hand it the
   nonce, and its sidebar asks for a logo from Redocly's CDN. Loaded with the page's nonce just
   before the bundle, this gives every <style> element added without one this page's nonce (a
   style written into the page's markup still needs its own), and points the logo at an empty
   image, so that nothing is loaded from elsewhere. */
(function () {
  "use strict";
  var nonce = document.currentScript && document.currentScript.nonce;
  if (!nonce) {
    return;
  }
  var blank = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E";
  function withNonce(node) {
    if (node instanceof HTMLStyleElement && !node.nonce) {
      node.nonce = nonce;
    }
    return node;
  }
  var appendChild = Node.prototype.appendChild;
  var insertBefore = Node.prototype.insertBefore;
  Node.prototype.appendChild = function (node) {
    return appendChild.call(this, withNonce(node));
  };
  Node.prototype.insertBefore = function (node, reference) {
    return insertBefore.call(this, withNonce(node), reference);
  };
  function local(value) {
    var url = new URL(String(value), document.baseURI);
    return url.origin === window.location.origin || url.protocol === "data:" ? value : blank;
  }
  var setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (this instanceof HTMLImageElement && String(name).toLowerCase() === "src") {
      value = local(value);
    }
    return setAttribute.call(this, name, value);
  };
  var src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    configurable: true,
    enumerable: src.enumerable,
    get: src.get,
    set: function (value) { src.set.call(this, local(value)); }
  });
}());
