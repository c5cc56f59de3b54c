// The ballot, made easier where scripts run (without them it is one long form, and works the same):
// - on a phone, one subject at a time, with "第 3 / 30 位", previous and next, and a jump to what is unanswered;
// - before the answers go to be checked, the subjects with unanswered questions are named, with a way to them;
// - a "读给我听" button reads a subject's questions and options aloud with the phone's own Chinese voice (nothing
//   leaves the phone); it stays hidden where there is no such voice.
(function () {
  var form = document.getElementById("ballot");
  if (!form) return;
  var text = form.dataset;
  var sections = Array.prototype.slice.call(form.querySelectorAll("section.subject"));
  var people = sections.filter(function (section) { return !section.classList.contains("general"); }).length;
  var review = form.querySelector("button[name=step][value=review]");
  var current = 0;

  function unanswered(section) {
    var unknown = section.querySelector("label.unknown input");
    if (unknown && unknown.checked) return 0;
    var missing = 0;
    section.querySelectorAll("fieldset[data-required]").forEach(function (fieldset) {
      var filled = Array.prototype.some.call(fieldset.querySelectorAll("input, textarea"), function (input) {
        return (input.type === "radio" || input.type === "checkbox") ? input.checked : input.value.trim() !== "";
      });
      if (!filled) missing += 1;
    });
    return missing;
  }

  function button(label, className, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.className = className;
    b.addEventListener("click", onClick);
    return b;
  }

  // One subject at a time on a phone.
  var stepping = sections.length > 1 && window.matchMedia("(max-width: 719px)").matches;
  var head, progress, bar, previous, next;
  // The questions asked once ("其他问题") are the last step, not one more person.
  function show(index, scroll) {
    current = Math.max(0, Math.min(index, sections.length - 1));
    sections.forEach(function (section, i) { section.hidden = i !== current; });
    progress.textContent = sections[current].classList.contains("general")
      ? text.last
      : text.progress.replace("{n}", current + 1).replace("{total}", people);
    bar.value = current + 1;
    previous.disabled = current === 0;
    next.hidden = current === sections.length - 1;
    review.hidden = current !== sections.length - 1;
    document.documentElement.style.setProperty("--stepper", head.offsetHeight + "px");
    if (scroll !== false) sections[current].scrollIntoView({block: "start"});
    var first = sections[current].querySelector("h2");
    if (first) { first.tabIndex = -1; first.focus({preventScroll: true}); }
  }
  function firstUnanswered() {
    for (var i = 0; i < sections.length; i++) if (unanswered(sections[i])) return i;
    return -1;
  }
  if (stepping) {
    form.classList.add("stepping");
    head = document.createElement("div");
    head.className = "stepper";
    progress = document.createElement("p");
    progress.className = "progress";
    progress.setAttribute("aria-live", "polite");
    bar = document.createElement("progress");
    bar.max = sections.length;
    bar.setAttribute("aria-hidden", "true");
    head.appendChild(progress);
    head.appendChild(bar);
    form.insertBefore(head, sections[0]);
    var nav = document.createElement("div");
    nav.className = "step-nav";
    previous = button(text.previous, "previous", function () { show(current - 1); });
    next = button(text.next, "primary next", function () { show(current + 1); });
    var jump = button(text.jump, "jump", function () {
      var index = firstUnanswered();
      show(index < 0 ? sections.length - 1 : index);
    });
    nav.appendChild(previous);
    nav.appendChild(next);
    review.parentNode.insertBefore(nav, review);
    nav.appendChild(review);
    var jumping = document.createElement("div");
    jumping.className = "step-jump";
    jumping.appendChild(jump);
    nav.parentNode.insertBefore(jumping, nav.nextSibling);
    // Back where a check found a problem: the first marked subject. Else the page stays at its top: the title
    // and what to read before voting (duty reports) come first.
    var marked = form.querySelector(".has-error");
    show(marked ? sections.indexOf(marked.closest("section.subject")) : 0, Boolean(marked));
  }

  // Before the answers go to be checked: name what is unanswered, once.
  var warned = false;
  form.addEventListener("submit", function (event) {
    if (warned) return;
    var missing = sections.filter(unanswered);
    if (!missing.length) return;
    event.preventDefault();
    warned = true;
    var box = form.querySelector(".unanswered") || document.createElement("div");
    box.className = "unanswered error";
    box.setAttribute("role", "alert");
    box.innerHTML = "";
    var title = document.createElement("p");
    title.textContent = text.unanswered;
    box.appendChild(title);
    missing.forEach(function (section) {
      box.appendChild(button(section.dataset.name + "：" + text.missing.replace("{n}", unanswered(section)), "link", function () {
        if (stepping) show(sections.indexOf(section)); else section.scrollIntoView({block: "start"});
      }));
    });
    review.textContent = text.anyway;
    var at = stepping ? review.parentNode : review;  // above the steps' buttons, not inside their bar
    at.parentNode.insertBefore(box, at);
    box.scrollIntoView({block: "nearest"});
  });

  // Read aloud with the phone's own voice, where it has a Chinese one.
  if (!("speechSynthesis" in window)) return;
  function chineseVoice() {
    return window.speechSynthesis.getVoices().filter(function (v) { return /^zh/i.test(v.lang); })[0];
  }
  function offerReading() {
    var voice = chineseVoice();
    if (!voice) return;
    form.querySelectorAll("button.read-aloud").forEach(function (b) {
      b.hidden = false;
      b.onclick = function () {
        var section = b.closest("section.subject");
        var parts = [section.dataset.name];
        section.querySelectorAll("fieldset.question").forEach(function (fieldset) {
          var legend = fieldset.querySelector("legend");
          var options = Array.prototype.map.call(fieldset.querySelectorAll("label.option"), function (l) { return l.textContent.trim(); });
          parts.push(legend.textContent.replace("*", "").trim() + (options.length ? "：" + options.join("，") : ""));
        });
        window.speechSynthesis.cancel();
        var words = new SpeechSynthesisUtterance(parts.join("。"));
        words.voice = voice;
        words.lang = voice.lang;
        window.speechSynthesis.speak(words);
      };
    });
  }
  offerReading();
  window.speechSynthesis.addEventListener("voiceschanged", offerReading);
})();
