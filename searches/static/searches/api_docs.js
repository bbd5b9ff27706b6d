// /api/docs/: Swagger UI drawing the API's OpenAPI description (searches/web/openapi.py).
"use strict";
(function () {
  const node = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: node.dataset.schema,
    domNode: node,
    deepLinking: true,
    // Its online validator would send the schema to swagger.io: gaweb works offline.
    validatorUrl: null,
    // Signed in with the session (no token given to "Authorize"), a write needs the CSRF token,
    // as the pages' forms send it.
    requestInterceptor: (request) => {
      const csrf = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
      if (csrf && request.method !== "GET") request.headers["X-CSRFToken"] = csrf.split("=")[1];
      return request;
    },
  });
})();
