// Live colour preview on Administration → Inställningar (core/colour_preview.py):
// the picture, with its two contrasts, follows the colour fields as they change.
// Without this script the "Förhandsgranska färgerna" button shows the same, with a round trip.
(function () {
  "use strict";
  var picture = document.querySelector("#forhandsvisning img");
  if (!picture) return;
  var keys = ["primary", "accent", "background", "text"];
  var colour = /^#[0-9a-fA-F]{6}$/;
  function update() {
    var query = new URLSearchParams();
    for (var i = 0; i < keys.length; i++) {
      var field = document.getElementById(keys[i]);
      if (!field || !colour.test(field.value)) return;
      query.set(keys[i], field.value.toLowerCase());
    }
    picture.src = picture.src.split("?")[0] + "?" + query.toString();
  }
  keys.forEach(function (key) {
    var field = document.getElementById(key);
    if (field) field.addEventListener("input", update);
  });
})();
