// Swagger UI for the local service: Heard's OpenAPI document, served by /_local/openapi.json.
// Sign in with POST /_local/token, then "Authorize" with the ID token (staffIdToken).
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({ url: "/_local/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
