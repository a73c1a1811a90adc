// Small behaviours the CSP allows (no inline script): language auto-submit, picking a looked-up customer.
document.addEventListener("change", (event) => {
  if (event.target.matches("[data-autosubmit]")) event.target.form.submit();
});
document.addEventListener("click", (event) => {
  const pick = event.target.closest("[data-pick-customer]");
  if (pick) {
    document.getElementById("id_customer_id").value = pick.dataset.pickCustomer;
    document.querySelector("[data-chosen-label]").textContent = pick.dataset.label;
    document.getElementById("chosen-customer").classList.remove("hidden");
    document.getElementById("new-customer").classList.add("hidden");
  }
  if (event.target.closest("[data-clear-customer]")) {
    document.getElementById("id_customer_id").value = "";
    document.getElementById("chosen-customer").classList.add("hidden");
    document.getElementById("new-customer").classList.remove("hidden");
  }
});
