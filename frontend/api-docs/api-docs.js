// The page at /api/docs (rt-edge answers its HTML, edge/src/edge_apidocs.c): Swagger UI renders
// the spec rt-edge was built with, GET /api/openapi.yaml, on the session's cookie. Copied as it
// is to dist/api-docs/ by vite.config.ts (apiDocsAssets), beside Swagger UI's own files; a
// classic script because the page loads swagger-ui-bundle.js first, which defines the global.
(function () {
  'use strict';
  var UNSAFE = { POST: true, PUT: true, PATCH: true, DELETE: true };
  var csrf = null;

  // "Try it out" on a state-changing route needs the session's CSRF token, as the console sends
  // it: read once from GET /api/auth/me and added to each such request.
  function csrfToken() {
    if (csrf) return Promise.resolve(csrf);
    return fetch('/api/auth/me', { credentials: 'same-origin' })
      .then(function (res) {
        return res.ok ? res.json() : null;
      })
      .then(function (me) {
        csrf = me && me.csrf_token ? me.csrf_token : null;
        return csrf;
      });
  }

  var root = document.getElementById('api-docs');
  if (typeof window.SwaggerUIBundle !== 'function') {
    root.textContent =
      'Swagger UI is missing from this build (frontend/dist/api-docs/). The spec itself is at /api/openapi.yaml.';
    return;
  }
  // "Try it out" on a state change shows the token in its X-CSRF-Token field, filled in as a
  // person would type it (Swagger UI's parameterMacro breaks on $ref parameters); the request
  // interceptor sets it in any case.
  function fillCsrfFields() {
    if (!csrf) return;
    var setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
    root.querySelectorAll('tr[data-param-name="X-CSRF-Token"] input').forEach(function (input) {
      if (input.value || input.disabled) return;
      setValue.call(input, csrf);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
  }

  csrfToken().catch(function () {
    return null;
  });
  root.textContent = '';
  new MutationObserver(fillCsrfFields).observe(root, { childList: true, subtree: true });
  window.SwaggerUIBundle({
    url: '/api/openapi.yaml',
    dom_id: '#api-docs',
    deepLinking: true,
    // no badge from validator.swagger.io: nothing on this page leaves the edge
    validatorUrl: null,
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
    requestInterceptor: function (req) {
      if (!UNSAFE[String(req.method || 'GET').toUpperCase()]) return req;
      return csrfToken().then(function (token) {
        if (token) req.headers['X-CSRF-Token'] = token;
        return req;
      });
    },
  });
})();
