// Storyreel's timeline editor: a Streamlit component in plain JavaScript (no build step).
// Streamlit sends {type: "streamlit:render", args: {view, height}}; every gesture is sent back
// once as the component's value ({kind, ..., nonce}); Python saves it and redraws with new args.
(function () {
  "use strict";
  const LABEL = 64;
  const $ = (id) => document.getElementById(id);
  let view = null;
  let pps = 40;           // pixels per second
  let selected = null;    // the sound whose level is being set
  let playhead = 0;
  let raf = null;
  let audioSrc = null;
  let lastSig = null;

  function send(type, data) {
    window.parent.postMessage(Object.assign({isStreamlitMessage: true, type: type}, data), "*");
  }
  function setValue(value) {
    value.nonce = Date.now() + "-" + Math.random().toString(36).slice(2, 8);
    send("streamlit:setComponentValue", {value: value, dataType: "json"});
  }
  let lastHeight = -1;
  function setHeight() {
    const h = $("tl-root").getBoundingClientRect().height + 4;
    if (Math.abs(h - lastHeight) < 1) return;  // Streamlit sends a new render after each height change
    lastHeight = h;
    send("streamlit:setFrameHeight", {height: h});
  }
  const x = (t) => LABEL + t * pps;
  const fmt = (t) => t.toFixed(2) + " s";

  function shotAt(t) {
    if (!view) return null;
    let hit = null;
    for (const s of view.shots) if (s.start <= t + 1e-6) hit = s;
    return hit;
  }

  function showFrame() {
    const s = shotAt(playhead);
    // Before the first shot (a title card) or a shot without a picture: a black frame, no broken image.
    if (s && s.thumb) $("tl-frame").src = s.thumb;
    else $("tl-frame").removeAttribute("src");
    $("tl-frame").style.visibility = s && s.thumb ? "visible" : "hidden";
    $("tl-frame-label").textContent = s ? "Shot " + s.label : (view && view.shots.length ? "Title" : "");
    $("tl-time").textContent = fmt(playhead);
    $("tl-playhead").style.left = x(playhead) + "px";
    $("tl-playhead").dataset.time = playhead.toFixed(3);
  }

  function drawWave(canvas, peaks, color) {
    const w = canvas.clientWidth || 100, h = canvas.clientHeight || 30;
    canvas.width = w; canvas.height = h;
    const g = canvas.getContext("2d");
    g.fillStyle = color;
    const n = peaks.length;
    for (let i = 0; i < w; i++) {
      const v = peaks[Math.min(n - 1, Math.floor(i * n / w))] || 0;
      const bar = Math.max(1, v * (h / 2 - 2));
      g.fillRect(i, h / 2 - bar, 1, bar * 2);
    }
  }

  function clearTracks() {
    document.querySelectorAll(".tl-block, .tl-tick, #tl-drop").forEach((el) => el.remove());
  }

  function render() {
    clearTracks();
    const width = Math.max($("tl-scroll").clientWidth, 300);
    pps = Math.max((width - LABEL - 8) / Math.max(view.duration, 0.5), 24);
    $("tl-canvas").style.width = (LABEL + view.duration * pps + 8) + "px";
    const step = view.duration <= 20 ? 1 : view.duration <= 60 ? 5 : 10;
    for (let s = 0; s <= view.duration; s += step) {
      const tick = document.createElement("div");
      tick.className = "tl-tick";
      tick.style.left = (s * pps) + "px";
      tick.textContent = s + "s";
      $("tl-ruler").appendChild(tick);
    }
    const video = document.querySelector('.tl-track[data-track="video"]');
    view.shots.forEach((s) => {
      const el = document.createElement("div");
      el.className = "tl-block tl-shot";
      el.dataset.shotId = s.shot_id;
      el.dataset.label = s.label;
      el.dataset.start = s.start;
      el.dataset.duration = s.duration;
      el.dataset.trimIn = s.trim_in || 0;
      el.style.left = x(s.start) + "px";
      el.style.width = Math.max(s.duration * pps - 1, 4) + "px";
      if (s.thumb) el.style.backgroundImage = "url(" + s.thumb + ")";
      el.innerHTML = '<span class="tl-label">' + s.label + "</span>";
      const edge = document.createElement("div");
      edge.className = "tl-edge";
      edge.title = "Drag to trim the end";
      el.appendChild(edge);
      const edgeIn = document.createElement("div");
      edgeIn.className = "tl-edge tl-edge-in";
      edgeIn.title = "Drag to trim the start";
      el.appendChild(edgeIn);
      video.appendChild(el);
      edge.addEventListener("pointerdown", (e) => trimStart(e, el, s));
      edgeIn.addEventListener("pointerdown", (e) => trimInStart(e, el, s));
      el.addEventListener("pointerdown", (e) => { if (e.target !== edge && e.target !== edgeIn) reorderStart(e, el, s); });
    });
    const colors = {voice: "#dc823c", music: "#5aaa6e", sfx: "#be5aaa"};
    view.sounds.forEach((snd) => {
      const track = document.querySelector('.tl-track[data-track="' + snd.track + '"]');
      if (!track) return;
      const el = document.createElement("div");
      el.className = "tl-block tl-sound" + (selected === snd.row_id ? " selected" : "");
      el.dataset.rowId = snd.row_id;
      el.dataset.track = snd.track;
      el.dataset.start = snd.start;
      el.dataset.gain = snd.gain_db;
      el.style.left = x(snd.start) + "px";
      el.style.width = Math.max(snd.duration * pps, 4) + "px";
      el.title = snd.label + " · " + snd.gain_db + " dB";
      const canvas = document.createElement("canvas");
      el.appendChild(canvas);
      const label = document.createElement("span");
      label.className = "tl-label";
      label.textContent = snd.label;
      el.appendChild(label);
      track.appendChild(el);
      drawWave(canvas, snd.peaks, colors[snd.track]);
      el.addEventListener("pointerdown", (e) => soundStart(e, el, snd));
    });
    showFrame();
    setHeight();
  }

  // -- gestures ----------------------------------------------------------------------------
  function drag(e, el, onMove, onEnd) {
    e.preventDefault();
    e.stopPropagation();
    const x0 = e.clientX;
    let moved = 0;
    el.classList.add("dragging");
    function move(ev) { moved = ev.clientX - x0; onMove(moved); }
    function up(ev) {
      window.removeEventListener("pointermove", move);
      window.removeEventListener("pointerup", up);
      el.classList.remove("dragging");
      onEnd(ev.clientX - x0);
    }
    window.addEventListener("pointermove", move);
    window.addEventListener("pointerup", up);
  }

  function dropIndex(shot, center) {
    // Where the dragged shot lands: before the first other shot whose middle is right of it.
    const others = view.shots.filter((s) => s.shot_id !== shot.shot_id);
    let i = 0;
    while (i < others.length && others[i].start + others[i].duration / 2 < center) i++;
    return i;
  }

  function reorderStart(e, el, shot) {
    const left0 = x(shot.start);
    let marker = $("tl-drop");
    if (!marker) { marker = document.createElement("div"); marker.id = "tl-drop"; $("tl-canvas").appendChild(marker); }
    drag(e, el, (dx) => {
      el.style.left = (left0 + dx) + "px";
      const center = shot.start + shot.duration / 2 + dx / pps;
      const others = view.shots.filter((s) => s.shot_id !== shot.shot_id);
      const i = dropIndex(shot, center);
      const at = i < others.length ? others[i].start : view.duration;
      marker.style.left = x(at) + "px";
    }, (dx) => {
      marker.remove();
      const from = view.shots.findIndex((s) => s.shot_id === shot.shot_id);
      const to = dropIndex(shot, shot.start + shot.duration / 2 + dx / pps);
      if (Math.abs(dx) < 4 || to === from) {  // a click: move the playhead to the shot
        el.style.left = left0 + "px";
        seek(shot.start);
        return;
      }
      setValue({kind: "reorder", shot_id: shot.shot_id, index: to});
    });
  }

  function trimStart(e, el, shot) {
    const w0 = shot.duration * pps;
    drag(e, el, (dx) => {
      const d = Math.max(0.5, shot.duration + dx / pps);
      el.style.width = d * pps + "px";
      el.dataset.duration = d.toFixed(2);
      $("tl-time").textContent = "Shot " + shot.label + ": " + fmt(d);
    }, (dx) => {
      if (Math.abs(dx) < 2) { el.style.width = w0 + "px"; return; }
      const d = Math.max(0.5, Math.min(60, shot.duration + dx / pps));
      setValue({kind: "trim", shot_id: shot.shot_id, duration: Math.round(d * 10) / 10});
    });
  }

  // The left edge: the shot starts later (or earlier, back to 0) in its clip and keeps its end, so
  // it gets shorter (or longer) by as much; the shots after it follow.
  function trimInStart(e, el, shot) {
    const left0 = x(shot.start), w0 = shot.duration * pps, in0 = shot.trim_in || 0;
    const clamp = (dx) => Math.min(Math.max(dx / pps, -in0), shot.duration - 0.5);
    drag(e, el, (dx) => {
      const d = clamp(dx);
      el.style.left = (left0 + d * pps) + "px";
      el.style.width = Math.max((shot.duration - d) * pps - 1, 4) + "px";
      el.dataset.trimIn = (in0 + d).toFixed(2);
      $("tl-time").textContent = "Shot " + shot.label + " starts " + fmt(in0 + d) + " in, lasts " + fmt(shot.duration - d);
    }, (dx) => {
      if (Math.abs(dx) < 2) { el.style.left = left0 + "px"; el.style.width = w0 + "px"; return; }
      setValue({kind: "trim_in", shot_id: shot.shot_id, trim_in: Math.round((in0 + clamp(dx)) * 10) / 10});
    });
  }

  function soundStart(e, el, snd) {
    const left0 = x(snd.start);
    const movable = snd.track !== "music";
    drag(e, el, (dx) => {
      if (movable) el.style.left = Math.max(LABEL, left0 + dx) + "px";
    }, (dx) => {
      if (!movable || Math.abs(dx) < 4) {  // a click: choose this sound to set its level
        selectSound(snd);
        el.style.left = left0 + "px";
        return;
      }
      const start = Math.max(0, snd.start + dx / pps);
      setValue({kind: "move", row_id: snd.row_id, start: Math.round(start * 100) / 100});
    });
  }

  function selectSound(snd) {
    selected = snd.row_id;
    document.querySelectorAll(".tl-sound").forEach((el) =>
      el.classList.toggle("selected", Number(el.dataset.rowId) === snd.row_id));
    $("tl-gainbox").hidden = false;
    $("tl-gain-label").textContent = snd.track + " · " + snd.label;
    $("tl-gain").value = snd.gain_db;
    $("tl-gain-value").textContent = Number(snd.gain_db).toFixed(1) + " dB";
    $("tl-gainbox").dataset.rowId = snd.row_id;
    setHeight();
  }

  $("tl-gain").addEventListener("input", () => {
    $("tl-gain-value").textContent = Number($("tl-gain").value).toFixed(1) + " dB";
  });
  $("tl-gain-save").addEventListener("click", () => {
    const row = Number($("tl-gainbox").dataset.rowId);
    setValue({kind: "gain", row_id: row, gain_db: Number($("tl-gain").value)});
  });

  // -- playback ----------------------------------------------------------------------------
  function seek(t) {
    playhead = Math.max(0, Math.min(t, view ? view.duration : 0));
    const audio = $("tl-audio");
    if (audio.src && !isNaN(audio.duration)) audio.currentTime = Math.min(playhead, audio.duration);
    showFrame();
  }
  function tick() {
    const audio = $("tl-audio");
    if (!audio.paused) {
      playhead = audio.currentTime;
      showFrame();
      raf = requestAnimationFrame(tick);
    }
  }
  $("tl-ruler").addEventListener("pointerdown", (e) => {
    const r = $("tl-ruler").getBoundingClientRect();
    seek((e.clientX - r.left) / pps);
  });
  $("tl-play").addEventListener("click", () => {
    const audio = $("tl-audio");
    if (!audio.src) return;
    if (!audio.paused) { audio.pause(); $("tl-play").textContent = "▶ Play"; return; }
    audio.currentTime = playhead;
    audio.play().then(() => { $("tl-play").textContent = "⏸ Pause"; raf = requestAnimationFrame(tick); })
      .catch(() => { $("tl-play").textContent = "▶ Play"; });
  });
  $("tl-audio").addEventListener("ended", () => { $("tl-play").textContent = "▶ Play"; });
  // The playhead also follows the media clock's own events: animation frames are throttled in a
  // busy or hidden page, and the playhead must still show where the mix is.
  $("tl-audio").addEventListener("timeupdate", () => {
    const audio = $("tl-audio");
    if (!audio.paused) { playhead = audio.currentTime; showFrame(); }
  });

  window.addEventListener("message", (event) => {
    const msg = event.data;
    if (!msg || msg.type !== "streamlit:render") return;
    const sig = JSON.stringify(msg.args.view);
    if (sig === lastSig) return;  // the same data again: keep the drawing (and any drag) as it is
    lastSig = sig;
    view = msg.args.view;
    if (view.audio !== audioSrc) {
      // A new mix (a level or a move saved while listening): keep playing it from the same point,
      // since setting a media element's source stops it.
      const audio = $("tl-audio");
      const wasPlaying = !audio.paused;
      audioSrc = view.audio;
      audio.src = view.audio || "";
      $("tl-play").disabled = !view.audio;
      if (wasPlaying && view.audio) {
        audio.addEventListener("loadedmetadata", () => {
          audio.currentTime = Math.min(playhead, audio.duration || playhead);
          audio.play().then(() => { $("tl-play").textContent = "⏸ Pause"; raf = requestAnimationFrame(tick); })
            .catch(() => { $("tl-play").textContent = "▶ Play"; });
        }, {once: true});
      } else {
        $("tl-play").textContent = "▶ Play";
      }
    }
    if (selected !== null && !view.sounds.some((s) => s.row_id === selected)) {
      selected = null;
      $("tl-gainbox").hidden = true;
    }
    render();
  });
  window.addEventListener("resize", () => { if (view) render(); });
  send("streamlit:componentReady", {apiVersion: 1});
})();
