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
  });
})();
