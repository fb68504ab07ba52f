// Loaded in <head>, before the page is drawn: JavaScript runs here, so Bootstrap's menus open
// and the bar's "no JavaScript" layout (app.css, .no-js) is not needed. No flash of it either.
document.documentElement.classList.remove("no-js");
