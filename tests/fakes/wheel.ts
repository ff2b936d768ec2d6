import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

/**
 * Writes a tiny pure-Python wheel `<name>-<version>-py3-none-any.whl` into `dir`, offline: the
 * zip with the package, METADATA, WHEEL and RECORD that pip needs, written by Python's zipfile.
 */
export function buildWheel(dir: string, name: string, version: string, source: string): string {
  mkdirSync(dir, { recursive: true });
  const program = `
import base64, hashlib, sys, zipfile
name, version, source, out = sys.argv[1:5]
info = f"{name}-{version}.dist-info"
files = {
    f"{name}/__init__.py": source,
    f"{info}/METADATA": f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n",
    f"{info}/WHEEL": "Wheel-Version: 1.0\\nGenerator: ff2-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
    f"{info}/top_level.txt": f"{name}\\n",
}
record = []
for path, text in files.items():
    digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
    record.append(f"{path},sha256={digest},{len(text.encode())}")
files[f"{info}/RECORD"] = "\\n".join(record + [f"{info}/RECORD,,"]) + "\\n"
with zipfile.ZipFile(out, "w") as archive:
    for path, text in files.items():
        archive.writestr(path, text)
`;
  const out = `${dir}/${name}-${version}-py3-none-any.whl`;
  execFileSync('/usr/bin/python3', ['-I', '-c', program, name, version, source, out]);
  return out;
}
