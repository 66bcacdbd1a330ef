// Keyboard-first review form: Enter submits (the browser does it), Tab and
// Shift-Tab move between fields, F2 marks the focused field unreadable, F8
// rejects the page (then 1-4 picks the reason). Values are re-validated on
// the server as they are typed.
"use strict";
(function () {
  const form = document.getElementById("review-form");
  if (!form) return;
  const review = document.getElementById("review");
  const img = document.getElementById("page-image");
  const box = document.getElementById("box");
  const panel = document.getElementById("reject-panel");
  let current = null;
  let submitting = false;

  function showBox(field) {
    const bb = field && field.dataset.bbox;
    if (!bb || !img.naturalWidth) { box.hidden = true; return; }
    const [x0, y0, x1, y1] = bb.split(",").map(Number);
    const sx = img.clientWidth / img.naturalWidth, sy = img.clientHeight / img.naturalHeight;
    box.style.left = (x0 * sx) + "px";
    box.style.top = (y0 * sy) + "px";
    box.style.width = ((x1 - x0) * sx) + "px";
    box.style.height = ((y1 - y0) * sy) + "px";
    box.hidden = false;
    box.scrollIntoView({block: "nearest", inline: "nearest"});
  }

  const timers = new WeakMap();
  async function check(input) {
    const field = input.closest(".field");
    const out = field.querySelector(".check");
    const q = new URLSearchParams({field: field.dataset.key, value: input.value});
    try {
      const res = await fetch(review.dataset.validate + "?" + q, {headers: {Accept: "application/json"}, credentials: "same-origin"});
      if (!res.ok) return;
      const ans = await res.json();
      if (input.value !== q.get("value")) return; // stale answer
      out.textContent = ans.message;
      out.classList.toggle("ok", ans.ok);
      out.classList.toggle("bad", !ans.ok && input.value.trim() !== "");
    } catch (e) { /* offline: the server validates on submit anyway */ }
  }

  for (const input of form.querySelectorAll("input.value")) {
    input.addEventListener("focus", () => {
      current = input.closest(".field");
      for (const f of form.querySelectorAll(".field.current")) f.classList.remove("current");
      current.classList.add("current");
      input.select();
      showBox(current);
    });
    input.addEventListener("input", () => {
      clearTimeout(timers.get(input));
      timers.set(input, setTimeout(() => check(input), 120));
    });
  }
  // Zoomed crops, cut here from the page scan already loaded rather than
  // one request each, which would make the server decode the whole scan.
  function drawCrops() {
    const w = img.naturalWidth, h = img.naturalHeight;
    if (!w) return;
    for (const c of form.querySelectorAll("canvas.crop")) {
      let [x0, y0, x1, y1] = c.dataset.crop.split(",").map(Number);
      x0 = Math.max(0, x0); y0 = Math.max(0, y0);
      x1 = Math.min(w, x1); y1 = Math.min(h, y1);
      if (x1 <= x0 || y1 <= y0) continue; // the box is off the page
      c.width = x1 - x0; c.height = y1 - y0;
      c.getContext("2d").drawImage(img, x0, y0, x1 - x0, y1 - y0, 0, 0, x1 - x0, y1 - y0);
      c.hidden = false;
    }
  }
  img.addEventListener("load", () => { drawCrops(); showBox(current); });
  if (img.complete) drawCrops();
  // autofocus may have fired before this script ran: select the first
  // field now so that typing replaces the machine's reading.
  const first = form.querySelector("input.value[autofocus]") || form.querySelector("input.value");
  if (first) { first.blur(); first.focus(); }
  window.addEventListener("resize", () => showBox(current));

  function toggleUnreadable(field) {
    if (!field) return;
    const cb = field.querySelector(".unreadable input");
    const input = field.querySelector("input.value");
    cb.checked = !cb.checked;
    input.readOnly = cb.checked;
    field.classList.toggle("is-unreadable", cb.checked);
    field.querySelector(".check").textContent = cb.checked ? "Đánh dấu: không đọc được." : "";
    input.focus();
  }
  for (const cb of form.querySelectorAll(".unreadable input")) {
    cb.addEventListener("change", () => { cb.checked = !cb.checked; toggleUnreadable(cb.closest(".field")); });
  }

  function openReject() { panel.hidden = false; panel.querySelector("button").focus(); }
  function closeReject() { panel.hidden = true; if (current) current.querySelector("input.value").focus(); }
  function reject(code) {
    document.getElementById("reject").value = code;
    submit();
  }
  function submit() {
    if (submitting) return;
    submitting = true;
    form.submit();
  }
  document.getElementById("reject-open").addEventListener("click", openReject);
  for (const b of panel.querySelectorAll("button[data-reject]")) {
    b.addEventListener("click", () => reject(b.dataset.reject));
  }
  form.addEventListener("submit", (e) => {
    if (submitting) { e.preventDefault(); return; }
    submitting = true;
  });

  document.addEventListener("keydown", (e) => {
    if (!panel.hidden) {
      const b = panel.querySelector('button[data-key="' + e.key + '"]');
      if (b) { e.preventDefault(); reject(b.dataset.reject); }
      else if (e.key === "Escape") { e.preventDefault(); closeReject(); }
      return;
    }
    if (e.key === "F2") { e.preventDefault(); toggleUnreadable(current); }
    else if (e.key === "F8") { e.preventDefault(); openReject(); }
  });
})();
