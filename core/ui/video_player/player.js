// Storyreel's video player: a Streamlit component in plain JavaScript (no build step). Unlike
// st.video (whole seconds only), it starts exactly where asked: Streamlit sends
// {type: "streamlit:render", args: {src, start, seek}}; each new ``seek`` puts the playhead at
// ``start`` seconds (to the frame) and plays from there when the browser allows it.
(function () {
  "use strict";
  const video = document.getElementById("player");
  let src = null;
  let seek = null;
  let lastHeight = -1;

  function send(type, data) {
    window.parent.postMessage(Object.assign({isStreamlitMessage: true, type: type}, data), "*");
  }
  function setHeight() {
    const h = Math.ceil(video.getBoundingClientRect().height) + 2;
    if (Math.abs(h - lastHeight) < 1) return;
    lastHeight = h;
    send("streamlit:setFrameHeight", {height: h});
  }
  // Media URLs ("/media/…") are the app's own: keep any base path the app is served under.
  function absolute(url) {
    if (!url || /^(https?:|data:|blob:)/.test(url)) return url;
    const at = window.location.pathname.indexOf("/component/");
    const base = at > 0 ? window.location.pathname.slice(0, at) : "";
    return window.location.origin + base + url;
  }
  function goTo(start, play) {
    const apply = () => {
      // Play once the seek is done, so playback starts on the frame asked for.
      if (play) video.addEventListener("seeked", () => video.play().catch(() => {}), {once: true});
      video.pause();
      video.currentTime = Math.min(start, Math.max(0, (video.duration || start) - 0.001));
    };
    if (video.readyState >= 1) apply();
    else video.addEventListener("loadedmetadata", apply, {once: true});
  }
  video.addEventListener("seeked", () => { video.dataset.seekedTo = video.currentTime.toFixed(4); });
  video.addEventListener("loadedmetadata", setHeight);
  new ResizeObserver(setHeight).observe(video);

  window.addEventListener("message", (event) => {
    const msg = event.data;
    if (!msg || msg.type !== "streamlit:render") return;
    const args = msg.args;
    const fresh = args.src !== src;
    if (fresh) {
      src = args.src;
      video.src = absolute(src);
    }
    if (fresh || args.seek !== seek) {
      const first = seek === null;
      seek = args.seek;
      video.dataset.start = String(args.start);
      goTo(Number(args.start) || 0, !first && !fresh);
    }
  });
  send("streamlit:componentReady", {apiVersion: 1});
  setHeight();
})();
