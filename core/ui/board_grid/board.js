// Storyreel's storyboard board: a Streamlit component in plain JavaScript (no build step).
// The whole film's board is one element (one iframe) instead of four Streamlit elements per card,
// so a board of 100 shots draws in a fraction of the time. Streamlit sends
// {type: "streamlit:render", args: {scenes, selected, thumbs}}; a click on a card sends {shot_id, nonce}.
// A card names its picture by key; the data URLs come in ``thumbs`` once and are kept here, so the
// live redraws carry only the cards and the pictures that are new.
(function () {
  "use strict";
  const root = document.getElementById("sb-root");
  let lastSig = null;
  let lastHeight = -1;
  const pics = {};  // thumbnail key -> data URL

  function send(type, data) {
    window.parent.postMessage(Object.assign({isStreamlitMessage: true, type: type}, data), "*");
  }
  function setHeight() {
    const h = Math.ceil(root.getBoundingClientRect().height) + 4;
    if (Math.abs(h - lastHeight) < 1) return;
    lastHeight = h;
    send("streamlit:setFrameHeight", {height: h});
  }
  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function nonce() {
    return Date.now() + "-" + Math.random().toString(36).slice(2, 8);
  }
  function open(id) {
    send("streamlit:setComponentValue", {value: {shot_id: id, nonce: nonce()}, dataType: "json"});
  }
  let askedFor = null;  // the pictures last asked for again: asked once, not on every redraw
  function askMissing(keys) {
    const want = keys.sort().join(",");
    if (!keys.length || want === askedFor) return;
    askedFor = want;
    send("streamlit:setComponentValue", {value: {missing: true, nonce: nonce()}, dataType: "json"});
  }

  function card(c, selected) {
    const box = el("div", "sb-card" + (c.id === selected ? " selected" : "") + (c.busy ? " busy" : ""));
    box.setAttribute("role", "listitem");
    box.dataset.shot = c.id;
    box.dataset.label = c.label;
    if (c.thumb && pics[c.thumb]) {
      const img = el("img", "sb-pic");
      img.alt = "Shot " + c.label;
      img.src = pics[c.thumb];
      box.appendChild(img);
    } else {
      box.appendChild(el("div", "sb-nopic", c.busy ? "⏳ Making the keyframe…" : "🖼️ No keyframe yet"));
    }
    box.appendChild(el("div", "sb-label", "Shot " + c.label));
    box.appendChild(el("div", "sb-meta", c.meta));
    box.appendChild(el("div", "sb-meta", c.state));
    const btn = el("button", "sb-open", c.id === selected ? "Open ✓" : "Open");
    btn.type = "button";
    btn.setAttribute("aria-label", "Open shot " + c.label);
    box.appendChild(btn);
    box.addEventListener("click", () => open(c.id));
    return box;
  }

  function render(args) {
    const missing = [];
    args.scenes.forEach((scene) => scene.cards.forEach((c) => { if (c.thumb && !pics[c.thumb]) missing.push(c.thumb); }));
    askMissing(missing);  // a picture this frame never got (a new frame mid-redraw): ask for all again
    const frag = document.createDocumentFragment();
    args.scenes.forEach((scene) => {
      frag.appendChild(el("h5", "", "Scene " + scene.number + " · " + scene.heading));
      const row = el("div", "sb-row");
      scene.cards.forEach((c) => row.appendChild(card(c, args.selected)));
      frag.appendChild(row);
    });
    root.replaceChildren(frag);
    setHeight();
  }

  function applyTheme(theme) {
    if (!theme) return;
    const css = document.documentElement.style;
    const set = (name, value) => { if (value) css.setProperty(name, value); };
    set("--text", theme.textColor);
    set("--bg", theme.backgroundColor);
    set("--bg2", theme.secondaryBackgroundColor);
    set("--primary", theme.primaryColor);
    if (theme.font) document.body.style.fontFamily = theme.font;
  }

  window.addEventListener("message", (event) => {
    const msg = event.data;
    if (!msg || msg.type !== "streamlit:render") return;
    applyTheme(msg.theme);
    Object.assign(pics, msg.args.thumbs || {});
    const sig = JSON.stringify(msg.args);
    if (sig === lastSig) return;  // the same board again (a live redraw with nothing new): keep it
    lastSig = sig;
    render(msg.args);
  });
  new ResizeObserver(setHeight).observe(root);
  send("streamlit:componentReady", {apiVersion: 1});
})();
