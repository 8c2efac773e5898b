// Plan parameter page: show the parameters of the chosen method, switch between the form and the advanced
// text view, and add rows to the parameter tables. Without JavaScript every section is shown and works.
(function () {
  "use strict";
  var form = document.querySelector("form.spec");
  if (!form) { return; }
  var method = form.querySelector("select[name=method]");

  function showMethod() {
    form.querySelectorAll("[data-method]").forEach(function (section) {
      section.hidden = section.getAttribute("data-method") !== method.value;
    });
  }

  function showEditor() {
    var chosen = form.querySelector("input[name=editor]:checked");
    var editor = chosen ? chosen.value : "form";
    form.querySelector("#method-form").hidden = editor !== "form";
    form.querySelector("#text-form").hidden = editor !== "text";
  }

  function addRow(prefix) {
    var total = form.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    var index = parseInt(total.value, 10);
    var html = document.getElementById(prefix + "-empty").innerHTML
      .replace(/__prefix__/g, String(index)).replace(/__num__/g, String(index + 1));
    form.querySelector("#" + prefix + "-rows").insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
  }

  method.addEventListener("change", showMethod);
  form.querySelectorAll("input[name=editor]").forEach(function (radio) {
    radio.addEventListener("change", showEditor);
  });
  form.querySelectorAll("button[data-add-row]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { addRow(button.getAttribute("data-add-row")); });
  });
  showMethod();
  showEditor();
})();
