// Device types from the catalog (GET /spec/types/{type}), fetched once each, and what the
// pages read from them: every property under its full name, how to show a value, which
// property a card's quick toggle flips and which readings it shows.
import { get } from "./api.js";

const types = new Map();

export function deviceType(name) {
  if (!types.has(name)) types.set(name, get(`/spec/types/${encodeURIComponent(name)}`).then(describe));
  return types.get(name);
}

const can = (property, what) => property.access.includes(what);

// The type with each service's members named as the API names them ("light.brightness").
function describe(type) {
  const services = type.services.map((service) => {
    const byPiid = new Map();
    const properties = service.properties.map((property) => {
      const described = {
        ...property,
        full: `${service.name}.${property.name}`,
        label: property.description.en,
        writable: can(property, "write"),
        readable: can(property, "read") || can(property, "notify"),
        range: property["value-range"] ? { min: property["value-range"][0], max: property["value-range"][1], step: property["value-range"][2] } : null,
        values: property["value-list"] || null,
      };
      byPiid.set(property.piid, described);
      return described;
    });
    const actions = service.actions.map((action) => ({
      ...action,
      full: `${service.name}.${action.name}`,
      label: action.description.en,
      inputs: action.in.map((piid) => byPiid.get(piid)).filter(Boolean),
    }));
    return { ...service, label: service.description.en, properties, actions };
  });
  const properties = services.flatMap((service) => service.properties);
  return {
    name: type.name,
    label: type.description.en,
    services,
    properties,
    property: (full) => properties.find((p) => p.full === full),
    toggle: properties.find((p) => p.name === "on" && p.format === "bool" && p.writable) || null,
    headline: headline(services),
  };
}

// The readings a card shows: the service's own numbers and states, not the device's
// information or its settings.
function headline(services) {
  const picked = [];
  for (const service of services) {
    if (service.name === "device-information") continue;
    for (const property of service.properties) {
      if (!property.readable || property.name === "on" || property.format === "string") continue;
      if (property.writable && property.format === "bool") continue;
      picked.push(property);
    }
  }
  // Readings first (what the device measures), then settings.
  picked.sort((a, b) => Number(a.writable) - Number(b.writable));
  return picked.slice(0, 2);
}

const UNITS = {
  celsius: "°C", percentage: "%", kelvin: "K", "square-metre": "m²", minutes: "min", seconds: "s",
  watt: "W", ampere: "A", volt: "V", "kilowatt-hour": "kWh", lux: "lx", ppm: "ppm", ppb: "ppb",
  "ug-per-m3": "µg/m³", "mg-per-m3": "mg/m³", hectopascal: "hPa", hours: "h", days: "d", litre: "L",
};

export function unitText(unit) {
  return unit ? UNITS[unit] || unit : "";
}

// "21.4 °C", "Sweeping", "on", "—" (never reported).
export function showValue(property, value) {
  if (value === undefined || value === null) return "—";
  if (property.values) {
    const entry = property.values.find((v) => v.value === value);
    return entry ? entry.description.en : String(value);
  }
  if (property.format === "bool") return value ? "on" : "off";
  if (property.unit === "rgb" && typeof value === "number") return `#${value.toString(16).padStart(6, "0")}`;
  if (typeof value === "number") {
    const unit = unitText(property.unit);
    const shown = Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
    return unit ? `${shown} ${unit}` : shown;
  }
  return String(value);
}

export const isNumeric = (property) => property.format !== "bool" && property.format !== "string" && !property.values;
