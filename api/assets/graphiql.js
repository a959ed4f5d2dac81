// Starts GraphiQL against this server: queries to the page's own URL (POST), subscriptions over
// WebSocket at <that URL>/ws. The API key goes in the Headers tab; GraphiQL sends the headers with
// every query and in the WebSocket's connection_init, where the server reads them too.
"use strict";
(function () {
  var url = location.origin + location.pathname.replace(/\/+$/, "");
  var fetcher = GraphiQL.createFetcher({ url: url, subscriptionUrl: url.replace(/^http/, "ws") + "/ws" });
  var example = [
    "# Put your API key in the Headers tab below, then run (Ctrl-Enter).",
    "{",
    "  indexerStatus { indexedBlockNumber chainHead lag }",
    "  banks { code name status }",
    "}",
    "",
  ].join("\n");
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: example,
      defaultHeaders: JSON.stringify({ Authorization: "Bearer <your API key>" }, null, 2),
      defaultEditorToolsVisibility: "headers",
    })
  );
})();
