/* The incident map. The base layer (country and first-level boundaries, Natural Earth) ships
   with the app, so the map reads without a network; tiles are drawn under it only when the
   settings name a tile server. Incidents close together on the screen are grouped into one
   numbered circle (a grid of CELL pixels, recomputed at each zoom); a group opens by zooming in.
   Sites are squares labelled with their active population, drawn under the incidents. Safe
   zones are hatched areas; corridors are lines whose status shows by colour, by dash pattern
   and in words (their tooltip), as the legend under the map says. */
(function () {
  "use strict";
  var element = document.getElementById("incident-map");
  var status = document.getElementById("incident-map-status");
  if (!element || typeof L === "undefined") {
    return;
  }
  var options = JSON.parse(document.getElementById("incident-map-options").textContent);
  var labels = element.dataset;
  var CELL = 56;
  var numbers = new Intl.NumberFormat(document.documentElement.lang || undefined);
  var map = L.map(element, { zoomControl: true, attributionControl: Boolean(options.tile_url) });
  map.setView([8.5, 30], 6);
  if (options.tile_url) {
    L.tileLayer(options.tile_url, { maxZoom: 18, attribution: options.tile_attribution || "" }).addTo(map);
  }
  var boundaries = L.layerGroup().addTo(map);
  var incidentLayer = L.layerGroup().addTo(map);
  var areaLayer = L.layerGroup().addTo(map);
  var siteLayer = L.layerGroup().addTo(map);
  var CORRIDOR_STYLE = {
    open: { color: "#1a7f37", dashArray: null },
    restricted: { color: "#9a6700", dashArray: "10 6" },
    closed: { color: "#a40e26", dashArray: "2 6" }
  };
  var incidents = [];

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span.innerHTML;
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      });
  }

  function drawBoundaries(data) {
    L.geoJSON(data, {
      interactive: false,
      style: function (feature) {
        var country = feature.properties.level === 0;
        return {
          className: country ? "boundary-country" : "boundary-admin1",
          color: country ? "#4b5563" : "#8c959f",
          weight: country ? 1.5 : 0.8,
          dashArray: country ? null : "3 3",
          fill: country,
          fillColor: "#f6f3ea",
          fillOpacity: 1
        };
      }
    }).addTo(boundaries);
    element.dataset.boundaries = String(data.features.length);
  }

  function incidentPopup(p) {
    return '<a href="' + text(p.url) + '">' + text(p.reference) + "</a><br>" +
      text(p.type) + " · " + text(p.severity_label) + "<br>" +
      text(p.occurred_on) + (p.site ? " · " + text(p.site) : "");
  }

  function single(item) {
    var p = item.properties;
    var size = 18 + p.severity * 6;
    var title = p.reference + " · " + p.severity_label;
    var marker = L.marker(item.latlng, {
      icon: L.divIcon({
        className: "incident-point severity-" + p.severity + (p.exact ? " exact" : ""),
        html: document.createElement("span"),
        iconSize: [size, size]
      }),
      title: title,
      alt: title,
      keyboard: true,
      zIndexOffset: 1000 + p.severity
    });
    return marker.bindPopup(incidentPopup(p));
  }

  function group(members) {
    var worst = 1;
    var bounds = L.latLngBounds([]);
    members.forEach(function (item) {
      worst = Math.max(worst, item.properties.severity);
      bounds.extend(item.latlng);
    });
    var badge = document.createElement("span");
    badge.textContent = numbers.format(members.length);
    var title = (labels.clusterLabel || "%s incidents").replace("%s", members.length);
    var marker = L.marker(bounds.getCenter(), {
      icon: L.divIcon({
        className: "incident-cluster severity-" + worst,
        html: badge,
        iconSize: [44, 44]
      }),
      title: title,
      alt: title,
      keyboard: true,
      zIndexOffset: 2000
    });
    marker.on("click keypress", function () {
      if (map.getZoom() < map.getMaxZoom() && !bounds.getNorthEast().equals(bounds.getSouthWest())) {
        map.fitBounds(bounds, { padding: [40, 40] });
      } else {
        marker.bindPopup(members.map(function (item) {
          return incidentPopup(item.properties);
        }).join("<hr>")).openPopup();
      }
    });
    return marker;
  }

  function drawIncidents() {
    incidentLayer.clearLayers();
    var cells = {};
    incidents.forEach(function (item) {
      var point = map.project(item.latlng);
      var key = Math.floor(point.x / CELL) + ":" + Math.floor(point.y / CELL);
      (cells[key] = cells[key] || []).push(item);
    });
    var groups = 0;
    Object.keys(cells).forEach(function (key) {
      var members = cells[key];
      if (members.length > 1) { groups += 1; }
      incidentLayer.addLayer(members.length > 1 ? group(members) : single(members[0]));
    });
    element.dataset.clusters = String(groups);
  }

  function drawSite(feature) {
    var p = feature.properties;
    var latlng = L.latLng(feature.geometry.coordinates[1], feature.geometry.coordinates[0]);
    var people = (labels.populationLabel || "%s people").replace("%s", numbers.format(p.population));
    var square = document.createElement("span");
    var marker = L.marker(latlng, {
      icon: L.divIcon({ className: "site-marker", html: square, iconSize: [44, 44], tooltipAnchor: [26, 0] }),
      title: p.name + ": " + people,
      alt: p.name + ": " + people,
      keyboard: true
    });
    marker.bindTooltip(text(p.name) + "<br>" + text(people), {
      permanent: true,
      direction: "auto",
      className: "site-label"
    });
    marker.bindPopup(
      '<a href="' + text(p.url) + '">' + text(p.name) + "</a><br>" + text(p.admin1 || "") +
      "<br>" + text(people)
    );
    siteLayer.addLayer(marker);
  }

  function drawArea(feature, bounds) {
    var p = feature.properties;
    var layer;
    if (p.kind === "safe_zone") {
      layer = L.geoJSON(feature, {
        style: function () {
          return { className: "safe-zone", color: "#0b5cad", weight: 2, fillColor: "#0b5cad", fillOpacity: 0.12 };
        }
      });
      layer.bindTooltip(text(p.label), { sticky: true });
    } else {
      var style = CORRIDOR_STYLE[p.status] || CORRIDOR_STYLE.closed;
      layer = L.geoJSON(feature, {
        style: function () {
          return { className: "corridor corridor-" + p.status, color: style.color, weight: 5, dashArray: style.dashArray };
        }
      });
      layer.bindTooltip(text(p.label), { sticky: true });
    }
    layer.bindPopup('<a href="' + text(p.url) + '">' + text(p.label) + "</a>");
    areaLayer.addLayer(layer);
    bounds.extend(layer.getBounds());
  }

  var base = options.base_url ? getJSON(options.base_url).then(drawBoundaries) : Promise.resolve();
  base.catch(function () { element.dataset.boundaries = "0"; });

  getJSON(options.data_url)
    .then(function (data) {
      var bounds = L.latLngBounds([]);
      var corridors = [];
      data.features.forEach(function (feature) {
        var c = feature.geometry.coordinates;
        if (feature.properties.kind === "safe_zone" || feature.properties.kind === "corridor") {
          drawArea(feature, bounds);
          if (feature.properties.kind === "corridor") {
            corridors.push(feature.properties.code + ":" + feature.properties.status);
          }
          return;
        }
        bounds.extend([c[1], c[0]]);
        if (feature.properties.kind === "site") {
          drawSite(feature);
        } else {
          incidents.push({ latlng: L.latLng(c[1], c[0]), properties: feature.properties });
        }
      });
      if (bounds.isValid()) {
        map.fitBounds(bounds, { maxZoom: 7, padding: [40, 40] });
      }
      drawIncidents();
      map.on("zoomend", drawIncidents);
      status.textContent = (labels.countLabel || "%s incidents on the map.").replace("%s", incidents.length);
      element.dataset.incidents = String(incidents.length);
      element.dataset.sites = String(siteLayer.getLayers().length);
      element.dataset.corridors = corridors.join(" ");
    })
    .catch(function () {
      status.textContent = labels.errorLabel || "The map data could not be loaded.";
    });
}());
