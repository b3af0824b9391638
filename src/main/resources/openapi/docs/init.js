// Swagger UI on this node's own description. "Authorize" takes a token from POST /api/auth/login or an
// API key; the page keeps it only in memory. No validator badge: it would call a public service.
window.addEventListener('load', () => {
  window.ui = SwaggerUIBundle({
    url: '/api/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    validatorUrl: null,
    persistAuthorization: false,
  });
});
