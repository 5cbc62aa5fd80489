// Runs the GraphQL-over-HTTP audit (graphql-http's serverAudits) against a running ehcp.
//   EHCP_AUDIT_URL=http://127.0.0.1:PORT/graphql EHCP_AUDIT_TOKEN=... node audit.mjs
// Every audit must pass: an error (a MUST), a warning (a SHOULD) or a notice (a MAY) fails
// the run, so a regression in how /graphql speaks HTTP fails CI.
import { serverAudits } from 'graphql-http';

const url = process.env.EHCP_AUDIT_URL;
const token = process.env.EHCP_AUDIT_TOKEN;
if (!url || !token) {
  console.error('set EHCP_AUDIT_URL and EHCP_AUDIT_TOKEN');
  process.exit(2);
}

// The server wants a token for every field; the audit's own requests carry a valid one.
const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
};

const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
const failures = [];
for (const { id, name, fn } of serverAudits({ url, fetchFn })) {
  const result = await fn();
  counts[result.status] = (counts[result.status] ?? 0) + 1;
  if (result.status !== 'ok') {
    let body = '';
    if (result.response) {
      try {
        body = await result.response.text();
      } catch {
        body = '(body already read)';
      }
    }
    failures.push(`${result.status.toUpperCase()} ${id} ${name}: ${result.reason}\n    ${body}`);
  }
}

for (const failure of failures) console.log(failure);
console.log(
  `graphql-http audit: ${counts.ok} ok, ${counts.notice} notice, ${counts.warn} warn, ${counts.error} error`,
);
process.exit(counts.warn + counts.error + counts.notice === 0 ? 0 : 1);
