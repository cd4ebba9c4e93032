// Runs first in <body>: lets GOV.UK Frontend styles know scripts are on (replaces the template's inline script,
// which a strict Content-Security-Policy would block).
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
