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
  // "Try it out" on a state change has the token in its X-CSRF-Token field: once the spec is
  // loaded, each such parameter's value is set in Swagger UI's own state (specActions), as if
  // typed. The request interceptor sets the header in any case.
  function fillCsrfParameters(ui) {
    return csrfToken().then(function (token) {
      if (!token) return;
      var paths = ui.specSelectors.specJson().toJS().paths || {};
      Object.keys(paths).forEach(function (path) {
        Object.keys(paths[path]).forEach(function (method) {
          if (!UNSAFE[method.toUpperCase()]) return;
          ui.specActions.changeParam([path, method], 'X-CSRF-Token', 'header', token);
        });
      });
    });
  }

  root.textContent = '';
  var ui = window.SwaggerUIBundle({
    url: '/api/openapi.yaml',
    dom_id: '#api-docs',
    deepLinking: true,
    // no badge from validator.swagger.io: nothing on this page leaves the edge
    validatorUrl: null,
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
    onComplete: function () {
      fillCsrfParameters(ui).catch(function () {
        /* the session just ended: state changes answer 401/403 as documented */
      });
    },
    requestInterceptor: function (req) {
      if (!UNSAFE[String(req.method || 'GET').toUpperCase()]) return req;
      return csrfToken().then(function (token) {
        if (token) req.headers['X-CSRF-Token'] = token;
        return req;
      });
    },
  });
})();
