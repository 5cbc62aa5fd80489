// Starts GraphiQL for this server's /graphql. A file of its own, not an inline script, so the
// page runs under a Content-Security-Policy with script-src 'self'. React, ReactDOM and
// GraphiQL are the UMD builds loaded before it (globals React, ReactDOM, GraphiQL).
(function () {
  'use strict';

  // Full-page layout, set through the DOM (not a style attribute or a <style> element).
  var html = document.documentElement.style;
  var body = document.body.style;
  html.height = body.height = '100%';
  body.margin = '0';
  body.overflow = 'hidden';
  var container = document.getElementById('graphiql');
  container.style.height = '100vh';
  container.textContent = '';

  var defaultQuery = [
    '# EHC plans API',
    '#',
    '# To sign in, open Headers below and paste',
    '#   {"Authorization": "Bearer <token>"}',
    '# (GraphiQL keeps it in this browser\'s storage).',
    '# Run with the \u25b6 button or Ctrl-Enter; the Docs',
    '# button at the top left shows the schema.',
    '',
    '{',
    '  me {',
    '    subject',
    '    role',
    '  }',
    '}',
    ''
  ].join('\n');

  var fetcher = GraphiQL.createFetcher({ url: '/graphql' });

  ReactDOM.createRoot(container).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
      defaultEditorToolsVisibility: 'headers'
    })
  );
})();
