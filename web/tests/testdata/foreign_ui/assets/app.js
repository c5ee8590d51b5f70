// Boots as SpiritStream's UI does: a command over /api/invoke, then says what it got.
const res = await fetch("/api/invoke/get_chat_status", { method: "POST", body: "{}" });
const body = await res.json();
document.getElementById("boot").textContent = body.ok ? "booted" : `failed: ${body.error}`;
