#!/usr/bin/env bash
# Fetches GraphiQL, React and ReactDOM from the npm registry at the given versions and copies
# their browser (UMD, production) builds into this folder, flat; then writes SHA256SUMS and
# LICENSES.md from the same tarballs. Run again with the same versions: nothing changes.
# Usage: assets/graphiql/update.sh [GRAPHIQL_VERSION [REACT_VERSION]]   (default: 3.9.0 18.3.1)
# GraphiQL 5 ships no UMD bundle (graphiql.min.js; 4.x still does, but start.js and the browser
# test were written for 3.x) and React 19 ships no umd/ folder: keep graphiql 3.x, react 18.x.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
graphiql_version="${1:-3.9.0}"
react_version="${2:-18.3.1}"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

# `npm pack` downloads each tarball and checks it against the registry's sha512 integrity.
npm pack --json --loglevel=error "graphiql@$graphiql_version" "react@$react_version" \
  "react-dom@$react_version" >pack.json
node -e '
  for (const p of JSON.parse(require("fs").readFileSync("pack.json", "utf8")))
    console.log(`${p.name}@${p.version} ${p.filename} ${p.integrity}`);
' | tee tarballs.txt

unpack() { # name version
  mkdir -p "$1"
  tar -xzf "$1-$2.tgz" -C "$1" --strip-components=1
}
unpack graphiql "$graphiql_version"
unpack react "$react_version"
unpack react-dom "$react_version"

copy() { # from (path inside tmp) to (file name here)
  if [ ! -f "$1" ]; then
    echo "$1 is not in the package: pick graphiql 3.x and react 18.x" >&2
    exit 1
  fi
  cp "$1" "$here/$2"
}
copy react/umd/react.production.min.js react.production.min.js
copy react-dom/umd/react-dom.production.min.js react-dom.production.min.js
copy graphiql/graphiql.min.js graphiql.min.js
copy graphiql/graphiql.min.css graphiql.min.css

# The stylesheet must load nothing from elsewhere: its fonts and images are data: URIs.
if grep -o 'url([^)]*)' "$here/graphiql.min.css" | grep -v '^url(["'"'"']\{0,1\}data:' | grep -q .; then
  echo "graphiql.min.css refers to files other than data: URIs; copy them too:" >&2
  grep -o 'url([^)]*)' "$here/graphiql.min.css" | grep -v '^url(["'"'"']\{0,1\}data:' >&2
  exit 1
fi

cd "$here"
sha256sum react.production.min.js react-dom.production.min.js graphiql.min.js graphiql.min.css \
  index.html start.js >SHA256SUMS

{
  cat <<HEAD
# Licences of the files in this folder

- \`graphiql.min.js\`, \`graphiql.min.css\`: graphiql@$graphiql_version (npm), MIT.
- \`react.production.min.js\`: react@$react_version (npm), MIT.
- \`react-dom.production.min.js\`: react-dom@$react_version (npm), MIT.
- \`index.html\`, \`start.js\`: this project's own, under its licence (see the repository's LICENSE).

## graphiql@$graphiql_version

\`\`\`text
HEAD
  cat "$tmp/graphiql/LICENSE"
  printf '```\n\n## react@%s\n\n```text\n' "$react_version"
  cat "$tmp/react/LICENSE"
  printf '```\n\n## react-dom@%s\n\n' "$react_version"
  if cmp -s "$tmp/react/LICENSE" "$tmp/react-dom/LICENSE"; then
    printf 'The same text as react@%s above.\n' "$react_version"
  else
    printf '```text\n'
    cat "$tmp/react-dom/LICENSE"
    printf '```\n'
  fi
  cat <<'TAIL'

## Packages bundled inside graphiql.min.js

`graphiql.min.js` is GraphiQL's own bundle of `@graphiql/react`, `@graphiql/toolkit`,
`graphql` (graphql-js), CodeMirror 5, `codemirror-graphql`, `graphql-language-service`,
`markdown-it`, Radix UI, Headless UI, framer-motion and their dependencies (React and ReactDOM
are not in it: they are the two files above). Those packages are under the MIT licence, except
two whose texts follow: `entities` (BSD-2-Clause, used by markdown-it) and `tslib` (0BSD).

### entities (BSD-2-Clause)

```text
Copyright (c) Felix Böhm
All rights reserved.

Redistribution and use in source and binary forms, with or without modification, are permitted provided that the following conditions are met:

Redistributions of source code must retain the above copyright notice, this list of conditions and the following disclaimer.

Redistributions in binary form must reproduce the above copyright notice, this list of conditions and the following disclaimer in the documentation and/or other materials provided with the distribution.

THIS IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE OF THIS,
EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
```

### tslib (0BSD)

```text
Copyright (c) Microsoft Corporation.

Permission to use, copy, modify, and/or distribute this software for any
purpose with or without fee is hereby granted.

THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES WITH
REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF MERCHANTABILITY
AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR ANY SPECIAL, DIRECT,
INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES WHATSOEVER RESULTING FROM
LOSS OF USE, DATA OR PROFITS, WHETHER IN AN ACTION OF CONTRACT, NEGLIGENCE OR
OTHER TORTIOUS ACTION, ARISING OUT OF OR IN CONNECTION WITH THE USE OR
PERFORMANCE OF THIS SOFTWARE.
```
TAIL
} >LICENSES.md

echo
cat SHA256SUMS
echo "Now update the versions and sha256 sums in README.md, and run tests/browser/run.sh."
