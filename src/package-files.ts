/**
 * Files the package ships beside dist/ (package.json "files"). Found from this module, which sits one
 * level under the package root both as src/ and dist/ and inside the bundle's chunks in dist/.
 */
export const EXAMPLE_CONFIG = new URL('../config.example.yaml', import.meta.url);
export const CONFIG_SCHEMA = new URL('../schema/tekamolo.schema.json', import.meta.url);
