// Drives GraphiQL at GET /graphql in a real Chromium, offline: the page must load every file
// from the server itself, sign in through the Headers editor, run `{ me { subject role } }`
// and browse the schema in the Docs explorer, with no console error and no request elsewhere.
// Env: EHCP_BROWSER_URL (http://HOST:PORT/graphql), EHCP_BROWSER_TOKEN (an admin's bearer
// token), EHCP_BROWSER_SUBJECT (that admin's subject), EHCP_BROWSER_CHROMIUM (the browser;
// default: chromium on PATH). Exits non-zero with the reason on any failure.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const TIMEOUT_MS = 30_000;

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set (tests/browser/run.sh sets it)`);
    process.exit(2);
  }
  return value;
}

const url = required('EHCP_BROWSER_URL');
const token = required('EHCP_BROWSER_TOKEN');
const subject = required('EHCP_BROWSER_SUBJECT');
const executablePath = process.env.EHCP_BROWSER_CHROMIUM || findChromium();
const origin = new URL(url).origin;

// What the page did, checked at the end (and reported on any failure).
const external = []; // requests to anywhere but the server, aborted
const consoleErrors = []; // console.error lines and uncaught exceptions
const failedResponses = []; // server answers of 400 and above
const requests = []; // every request that reached the server: "METHOD path"
const graphqlPosts = []; // headers of each POST /graphql
const wrongTypes = []; // /graphiql/* files served with a Content-Type that does not fit

// The first console error or request elsewhere ends the test at once, not at a step's timeout.
let reportProblem;
const problem = new Promise((_, reject) => {
  reportProblem = (what) => reject(new Error(what));
});
problem.catch(() => {});

const expectedType = { '.js': /^(text|application)\/javascript\b/, '.css': /^text\/css\b/ };

let browser;
let page;
try {
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox'], timeout: TIMEOUT_MS });
  const context = await browser.newContext({ serviceWorkers: 'block' });
  context.setDefaultTimeout(TIMEOUT_MS);

  // Offline: only the server answers; anything else is refused and remembered.
  await context.route('**/*', (route) => {
    const request = route.request();
    if (new URL(request.url()).origin === origin) return route.continue();
    external.push(`${request.method()} ${request.url()}`);
    reportProblem(`the page asked for ${request.url()}, not on ${origin}`);
    return route.abort('blockedbyclient');
  });

  // WebSockets are not routed above: each one is refused here, before it connects, unless it
  // is to the server (GraphiQL opens none without a subscriptionUrl).
  await context.routeWebSocket(/.*/, (ws) => {
    if (new URL(ws.url()).host === new URL(origin).host) return ws.connectToServer();
    external.push(`WebSocket ${ws.url()}`);
    reportProblem(`the page opened a WebSocket to ${ws.url()}`);
    return ws.close();
  });

  page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') {
      const where = message.location()?.url ? ` (${message.location().url})` : '';
      consoleErrors.push(`console.error: ${message.text()}${where}`);
      reportProblem('the page logged an error');
    }
  });
  page.on('pageerror', (error) => {
    consoleErrors.push(`uncaught: ${error.stack || error}`);
    reportProblem('the page threw an exception');
  });
  page.on('request', (request) => {
    const target = new URL(request.url());
    if (target.origin !== origin) return;
    requests.push(`${request.method()} ${target.pathname}${target.search}`);
    if (request.method() === 'POST' && target.pathname === '/graphql') {
      graphqlPosts.push(request.headers());
    }
  });
  page.on('response', (response) => {
    const target = new URL(response.url());
    if (target.origin !== origin) return;
    if (response.status() >= 400) {
      failedResponses.push(`${response.status()} ${response.request().method()} ${target.pathname}`);
    }
    if (target.pathname.startsWith('/graphiql/')) {
      const type = response.headers()['content-type'] || '(none)';
      const want = expectedType[path.extname(target.pathname)];
      if (want && !want.test(type)) wrongTypes.push(`${target.pathname}: ${type}`);
    }
  });

  // 1. The page: a normal navigation sends Accept: text/html.
  const response = await page.goto(url, { waitUntil: 'load' });
  if (!response || response.status() !== 200) {
    throw new Error(`GET ${url} answered ${response ? response.status() : 'nothing'}`);
  }
  const pageType = response.headers()['content-type'] || '';
  if (!pageType.startsWith('text/html')) {
    throw new Error(`GET ${url} answered Content-Type ${pageType || '(none)'}, not text/html`);
  }
  const csp = response.headers()['content-security-policy'];
  const title = await page.title();
  if (title !== 'EHC plans API — GraphiQL') throw new Error(`the page's title is "${title}"`);

  // 2. GraphiQL renders its query editor.
  const queryEditor = page.locator('.graphiql-query-editor .CodeMirror');
  await step('GraphiQL shows its query editor', () => queryEditor.waitFor());

  // 3. Sign in: the Headers tab, then paste the header into its editor.
  const headers = JSON.stringify({ Authorization: `Bearer ${token}` });
  await step('the Headers tab opens', () => page.locator('button[data-name="headers"]').click());
  const headersEditor = page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror');
  await step('the headers editor takes the Authorization header', async () => {
    await replaceText(headersEditor, headers);
    await waitForValue(headersEditor, headers);
  });

  // 4. The query, in place of the default text.
  const query = '{ me { subject role } }';
  await step('the query editor takes the query', async () => {
    await replaceText(queryEditor, query);
    await waitForValue(queryEditor, query);
  });

  // 5. Run it and read the answer in the result pane.
  const postsBefore = graphqlPosts.length;
  await step('the execute button runs the query', () =>
    page.locator('button.graphiql-execute-button').click(),
  );
  const result = page.locator('.graphiql-response .result-window');
  await step(`the result shows subject "${subject}" and role ADMIN`, () =>
    page.waitForFunction(
      ([selector, wanted]) => {
        const text = document.querySelector(selector)?.CodeMirror?.getValue() ?? '';
        return wanted.every((w) => text.includes(w));
      },
      ['.graphiql-response .result-window .CodeMirror', [`"subject": "${subject}"`, '"role": "ADMIN"']],
      { timeout: TIMEOUT_MS },
    ),
  ).catch(async (error) => {
    const shown = await result.innerText().catch(() => '(no result pane)');
    throw new Error(`${error.message}\nthe result pane shows:\n${shown}`);
  });
  const sent = graphqlPosts.slice(postsBefore);
  if (!sent.some((h) => h.authorization === `Bearer ${token}`)) {
    throw new Error('the query was not sent with the Authorization header from the headers editor');
  }

  // 6. The Docs explorer lists the root types, and Query's fields.
  await step('the Docs explorer opens', () =>
    page.getByRole('button', { name: 'Show Documentation Explorer' }).click(),
  );
  const docs = page.locator('.graphiql-doc-explorer');
  await step('the Docs explorer lists the root types Query and Mutation', () =>
    page.waitForFunction(
      () => {
        const roots = [...document.querySelectorAll('.graphiql-doc-explorer-root-type')].map(
          (e) => e.parentElement.textContent.trim(),
        );
        return roots.includes('query: Query') && roots.includes('mutation: Mutation');
      },
      null,
      { timeout: TIMEOUT_MS },
    ),
  ).catch(async (error) => {
    const shown = await docs.innerText().catch(() => '(no Docs explorer)');
    throw new Error(`${error.message}\nthe Docs explorer shows:\n${shown.slice(0, 2000)}`);
  });
  await step('clicking Query shows its field me', async () => {
    await docs.locator('a.graphiql-doc-explorer-type-name', { hasText: /^Query$/ }).first().click();
    await docs.locator('.graphiql-doc-explorer-title', { hasText: /^Query$/ }).waitFor();
    await docs.locator('a.graphiql-doc-explorer-field-name', { hasText: /^me$/ }).waitFor();
  });

  // 7. Nothing went wrong on the way, and nothing left the machine.
  await page.waitForTimeout(300); // late console errors from the last click
  const problems = [
    ...external.map((r) => `a request to somewhere other than ${origin}: ${r}`),
    ...consoleErrors,
    ...failedResponses.map((r) => `the server answered ${r}`),
    ...wrongTypes.map((r) => `a GraphiQL file with the wrong Content-Type: ${r}`),
  ];
  if (problems.length) throw new Error(problems.join('\n'));
  const files = new Set(requests.filter((r) => r.startsWith('GET /graphiql/')));
  console.log(
    `PASS graphiql: ${url} loaded ${files.size} files from the server, signed in as ${subject} ` +
      `(ADMIN), ran the query and browsed the Docs; ${requests.length} requests, none elsewhere; ` +
      (csp ? 'under the page\'s Content-Security-Policy' : 'the page sent no Content-Security-Policy'),
  );
  await browser.close();
} catch (error) {
  let shot = '';
  if (page) {
    shot = path.join(os.tmpdir(), 'ehcp-browser-failure.png');
    await page.screenshot({ path: shot, fullPage: true }).catch(() => (shot = ''));
  }
  console.error(`FAIL graphiql: ${error.message}`);
  const context = [
    ...external.map((r) => `  external request (aborted): ${r}`),
    ...consoleErrors.map((r) => `  ${r}`),
    ...failedResponses.map((r) => `  server answered ${r}`),
    ...wrongTypes.map((r) => `  wrong Content-Type: ${r}`),
  ];
  if (context.length) console.error(`what the page did besides:\n${context.join('\n')}`);
  if (requests.length) console.error(`requests to the server:\n  ${requests.join('\n  ')}`);
  if (shot) console.error(`screenshot: ${shot}`);
  await browser?.close().catch(() => {});
  process.exit(1);
}

/** The path of `chromium` on PATH, or the end of the test. */
function findChromium() {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    console.error('chromium is not on PATH: apt-get install chromium, or set EHCP_BROWSER_CHROMIUM');
    process.exit(2);
  }
}

/** Runs one step; a failure names the step. A console error or a request elsewhere fails it
 * at once. */
async function step(what, action) {
  try {
    return await Promise.race([action(), problem]);
  } catch (error) {
    throw new Error(`${what}: failed: ${error.message.split('\n')[0]}`);
  }
}

/** Focuses a CodeMirror editor, selects all of it and puts `text` in its place, as a paste does
 * (so the editor's bracket auto-closing does not add to it). */
async function replaceText(editor, text) {
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText(text);
}

/** Waits until a CodeMirror editor holds exactly `text`. */
async function waitForValue(editor, text) {
  const handle = await editor.elementHandle();
  await page
    .waitForFunction(([e, t]) => e.CodeMirror?.getValue() === t, [handle, text], {
      timeout: TIMEOUT_MS,
    })
    .catch(async () => {
      const value = await handle.evaluate((e) => e.CodeMirror?.getValue());
      throw new Error(`the editor holds ${JSON.stringify(value)}, not ${JSON.stringify(text)}`);
    });
}
