/**
 * The management shell: what every staff feature plugs into. See docs/architecture.md,
 * "How a new staff page is added". The shell imports auth, http and base only, never a feature.
 */
export { default as staffShell, signedInArea, type StaffShellOptions } from './shell.ts'
export { default as regionScope } from './region-scope.ts'
export { allow, currentUser, regionOf } from './access.ts'
export { Conflict, Forbidden, NotFound } from './errors.ts'
export { type DoneKey, doneKeys, fieldErrors, type FieldErrors, formBody, type FormFields, idSchema, pageQuery, withDone } from './forms.ts'
export { managementLanguages, type PageOptions, renderStaffMessage, renderStaffPage, staffLanguage } from './page.ts'
export { type CookieNames } from './cookies.ts'
export { default as signInRoutes } from './sign-in-routes.ts'
