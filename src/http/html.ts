/** Text for HTML outside the templates (mail bodies, feeds): the five characters that matter, as numeric references. */
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
