/**
 * `npm run sandbox`: runs the fake Feishu on a fixed port for trying the extension by hand in your own Chromium.
 * It prints the flags to start Chromium with and a token to paste in the options page.
 */
import { DOCS, startSandbox, TOKENS } from '../tests/sandbox';

const port = Number(process.env.PORT ?? 8443);
const sandbox = await startSandbox({ port, throttleBytesPerSecond: 300_000 });
console.log(`Sandbox on ${sandbox.origin}. Start Chromium with:

  chromium --load-extension=$PWD/.output/chrome-mv3 --ignore-certificate-errors \\
    --host-resolver-rules="${sandbox.hostResolverRules}, EXCLUDE localhost" --user-data-dir=/tmp/ad-sandbox-profile

then paste this token in the extension's options page: ${TOKENS.feishuUser}
and open https://acme.feishu.cn/docx/${DOCS.weekly}  (Lark: https://acme.larksuite.com/docx/${DOCS.lark}, token ${TOKENS.larkUser})
Ctrl+C stops the sandbox.`);
