// Copies non-TypeScript runtime assets (the Python analyser) next to the compiled code.
import { cpSync, mkdirSync } from 'node:fs';

mkdirSync('dist/python', { recursive: true });
cpSync('src/python', 'dist/python', { recursive: true, filter: (src) => !src.endsWith('.ts') });
