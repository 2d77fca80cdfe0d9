#!/usr/bin/env node
// Some registry mirrors lack the platform-specific optional packages of other operating systems
// (e.g. @swc/core-darwin-arm64). `npm install` then leaves them out of package-lock.json and
// `npm ci` refuses the lock as out of sync. This adds each missing optional dependency as an
// entry restricted to its platform: npm skips it on other platforms and fetches it on its own.
import { readFileSync, writeFileSync } from 'node:fs';

const OS = /(darwin|linux|win32|freebsd|android|openharmony|sunos|aix|netbsd|openbsd)/;
const CPU = /(arm64|x64|ia32|arm|ppc64|s390x|riscv64|loong64)/;
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const packages = lock.packages;
let added = 0;
for (const [path, meta] of Object.entries(packages)) {
  for (const [name, range] of Object.entries(meta.optionalDependencies ?? {})) {
    const nested = `${path ? `${path}/` : ''}node_modules/${name}`;
    const top = `node_modules/${name}`;
    if (packages[nested] || packages[top]) continue;
    const entry = { version: range.replace(/^[\^~]/, ''), optional: true };
    const base = name.split('/').pop();
    const os = OS.exec(base);
    const cpu = CPU.exec(os ? base.slice(os.index + os[0].length) : base);
    if (os) entry.os = [os[1]];
    if (cpu) entry.cpu = [cpu[1]];
    packages[top] = entry;
    added++;
  }
}
writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} optional platform package(s)`);
