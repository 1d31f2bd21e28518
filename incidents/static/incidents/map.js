/* The incident map: sites as squares, incidents as circles sized by severity. Tiles come from
   the configured tile server; without one (or offline) the points still show on a blank map. */
(function () {
  "use strict";
  var element = document.getElementById("incident-map");
  var status = document.getElementById("incident-map-status");
  var options = JSON.parse(document.getElementById("incident-map-options").textContent);
  if (!element || typeof L === "undefined") {
    return;
  }
  var map = L.map(element, { zoomControl: true, attributionControl: Boolean(options.tile_url) });
  map.setView([0, 20], 3);
  if (options.tile_url) {
    L.tileLayer(options.tile_url, { maxZoom: 18, attribution: options.tile_attribution || "" }).addTo(map);
  }
  var colours = { 1: "#57606a", 2: "#7a4d00", 3: "#bc4c00", 4: "#a40e26" };

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span.innerHTML;
  }

  function incidentLayer(feature, latlng) {
    var severity = feature.properties.severity;
    return L.circleMarker(latlng, {
      radius: 4 + severity * 2,
      color: colours[severity] || "#57606a",
      weight: feature.properties.exact ? 2 : 1,
      fillOpacity: 0.6
    });
  }

  function siteLayer(feature, latlng) {
    return L.marker(latlng, {
      icon: L.divIcon({ className: "site-marker", iconSize: [12, 12] }),
      title: feature.properties.name,
      keyboard: true
    });
  }

  fetch(options.data_url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    })
    .then(function (data) {
      var incidents = 0;
      var layer = L.geoJSON(data, {
        pointToLayer: function (feature, latlng) {
          if (feature.properties.kind === "site") { return siteLayer(feature, latlng); }
          incidents += 1;
          return incidentLayer(feature, latlng);
        },
        onEachFeature: function (feature, item) {
          var p = feature.properties;
          if (p.kind === "site") {
            item.bindPopup("<strong>" + text(p.name) + "</strong><br>" + text(p.admin1 || ""));
          } else {
            item.bindPopup(
              '<a href="' + text(p.url) + '">' + text(p.reference) + "</a><br>" +
              text(p.type) + " · " + text(p.severity_label) + "<br>" +
              text(p.occurred_on) + (p.site ? " · " + text(p.site) : "")
            );
          }
        }
      }).addTo(map);
      if (data.features.length) {
        map.fitBounds(layer.getBounds(), { maxZoom: 12, padding: [20, 20] });
      }
      status.textContent = element.dataset.countLabel
        ? element.dataset.countLabel.replace("%s", incidents)
        : incidents + " incidents";
      element.dataset.incidents = String(incidents);
    })
    .catch(function () {
      status.textContent = element.dataset.errorLabel || "The map data could not be loaded.";
    });
}());
