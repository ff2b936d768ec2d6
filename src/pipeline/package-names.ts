/**
 * What ff2 knows about package names: the closest alternatives people usually accept for a
 * package that is not installed, the pip name of an import name, and which modules talk to the
 * network. Data only.
 */

/** Import name → alternatives in order of preference (the first installed one is offered). */
export const ALTERNATIVES: Readonly<Record<string, readonly string[]>> = {
  polars: ['pandas'],
  pyarrow: ['pandas'],
  dask: ['pandas'],
  modin: ['pandas'],
  duckdb: ['pandas'],
  vaex: ['pandas'],
  statsmodels: ['pandas', 'numpy'],
  sklearn: ['numpy'],
  scipy: ['numpy'],
  seaborn: ['matplotlib'],
  plotly: ['matplotlib'],
  bokeh: ['matplotlib'],
  altair: ['matplotlib'],
  pygal: ['matplotlib'],
  plotnine: ['matplotlib'],
  xlsxwriter: ['openpyxl'],
  xlrd: ['openpyxl', 'pandas'],
  xlwt: ['openpyxl'],
  pyexcel: ['openpyxl'],
  cv2: ['PIL'],
  imageio: ['PIL'],
  skimage: ['PIL', 'numpy'],
  wand: ['PIL'],
  httpx: ['requests'],
  aiohttp: ['requests'],
  urllib3: ['requests'],
  html5lib: ['bs4', 'lxml'],
  scrapy: ['bs4'],
  selectolax: ['bs4'],
  parsel: ['lxml', 'bs4'],
  pyquery: ['lxml', 'bs4'],
  ruamel: ['yaml'],
  pendulum: ['dateutil'],
  arrow: ['dateutil'],
  dateparser: ['dateutil'],
  prettytable: ['tabulate'],
  texttable: ['tabulate'],
  rich: ['tabulate'],
};

/** Import name → the name pip installs it by, where they differ. */
const PIP_NAMES: Readonly<Record<string, string>> = {
  cv2: 'opencv-python-headless',
  sklearn: 'scikit-learn',
  skimage: 'scikit-image',
  PIL: 'pillow',
  yaml: 'pyyaml',
  bs4: 'beautifulsoup4',
  docx: 'python-docx',
  pptx: 'python-pptx',
  dateutil: 'python-dateutil',
  fitz: 'pymupdf',
  Crypto: 'pycryptodome',
  serial: 'pyserial',
  dotenv: 'python-dotenv',
  magic: 'python-magic',
  attr: 'attrs',
  jwt: 'pyjwt',
  git: 'gitpython',
  odf: 'odfpy',
  wand: 'Wand',
};

export function pipName(module: string): string {
  return PIP_NAMES[module] ?? module;
}

/** Modules (dotted prefixes) whose purpose is talking to other machines. */
export const NETWORK_MODULES: readonly string[] = [
  'requests',
  'httpx',
  'aiohttp',
  'urllib3',
  'urllib.request',
  'http.client',
  'socket',
  'ftplib',
  'smtplib',
  'imaplib',
  'poplib',
  'telnetlib',
  'xmlrpc.client',
  'websocket',
  'websockets',
  'paramiko',
];

/** Listed first when the environment is described to the model (the common goals' packages). */
export const WELL_KNOWN: readonly string[] = [
  'numpy',
  'pandas',
  'matplotlib',
  'openpyxl',
  'bs4',
  'lxml',
  'yaml',
  'PIL',
  'dateutil',
  'tabulate',
  'requests',
  'scipy',
];
