// The dashboard's icon, inline so the binary needs no asset for it (/favicon.ico): a small
// SVG in the spirit of IPng's logo, served as image/svg+xml, which browsers accept for
// /favicon.ico. The SPA shows the same mark in its header.

export const faviconSvg =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">' +
  '<rect width="64" height="64" rx="12" fill="#1f3b57"/>' +
  '<text x="32" y="42" font-family="Helvetica,Arial,sans-serif" font-size="26" font-weight="700" text-anchor="middle" fill="#ffffff">IPng</text>' +
  '<rect x="10" y="48" width="44" height="4" rx="2" fill="#f5a623"/>' +
  '</svg>';
