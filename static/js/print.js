// Print buttons (data-print): the pathway card, the printable directory and the session's cards.
document.querySelectorAll("[data-print]").forEach((button) => button.addEventListener("click", () => window.print()));
