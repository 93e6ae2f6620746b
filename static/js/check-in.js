// The check-in page's camera: read a QR code with the phone's camera (BarcodeDetector where the
// browser has it, jsQR otherwise), put the code in the form and submit it. Typing still works.
(function () {
  "use strict";
  var section = document.querySelector("[data-scanner]");
  var form = document.getElementById("check-in-form");
  if (!section || !form || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  section.hidden = false;
  var video = section.querySelector("[data-scan-video]");
  var start = section.querySelector("[data-scan-start]");
  var stop = section.querySelector("[data-scan-stop]");
  var status = section.querySelector("[data-scan-status]");
  var input = form.querySelector("[name=code]");
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var stream = null;
  var detector = null;
  if ("BarcodeDetector" in window && window.BarcodeDetector.getSupportedFormats) {
    // Only where the platform really reads QR codes (Android, macOS); jsQR everywhere else.
    window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf("qr_code") !== -1) detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    }, function () {});
  }

  function codeFrom(text) {
    try {
      return new URL(text).searchParams.get("code") || text;
    } catch (e) {
      return text;
    }
  }
  function found(text) {
    halt();
    input.value = codeFrom(text);
    status.textContent = "Code read: " + input.value + ". Checking in…";
    form.submit();
  }
  function halt() {
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    video.hidden = true;
    stop.hidden = true;
    start.hidden = false;
  }
  function scan() {
    if (!stream) return;
    if (video.readyState === video.HAVE_ENOUGH_DATA) {
      if (detector) {
        detector.detect(video).then(function (codes) {
          if (codes.length) found(codes[0].rawValue); else requestAnimationFrame(scan);
        }, function () { requestAnimationFrame(scan); });
        return;
      }
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var result = window.jsQR && window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      if (result && result.data) return found(result.data);
    }
    requestAnimationFrame(scan);
  }
  start.addEventListener("click", function () {
    status.textContent = "Starting the camera…";
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.hidden = false;
      start.hidden = true;
      stop.hidden = false;
      status.textContent = "Point the camera at the QR code on the person's phone.";
      video.play();
      requestAnimationFrame(scan);
    }, function (error) {
      status.textContent = "The camera is not available (" + error.name + "). Type the code instead.";
    });
  });
  stop.addEventListener("click", function () { halt(); status.textContent = "Camera stopped."; });
})();
