/**
 * A map of counts by area, drawn with Leaflet from the gazetteer's points only: no tiles, nothing
 * fetched. Each area with a point is a circle sized by its count; choosing one (click, or Enter
 * on the list below the map) calls `onPick`. The same counts are listed as text for screen readers
 * and keyboards.
 */
import L from 'leaflet';
import { query } from '../api.ts';
import { useEffect, useRef } from 'preact/hooks';
import { language, t } from '../i18n.ts';

export interface MapArea {
  id: string;
  name: string;
  level: string;
  latitude: number | null;
  longitude: number | null;
}

export function AreaMap({ areas, counts, onPick, label }: { areas: MapArea[]; counts: Record<string, number>; onPick?: (areaId: string) => void; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const layer = useRef<L.LayerGroup | null>(null);

  useEffect(() => {
    if (!box.current) return;
    map.current = L.map(box.current, { attributionControl: false, zoomSnap: 0.25, keyboard: true });
    layer.current = L.layerGroup().addTo(map.current);
    return () => {
      map.current?.remove();
      map.current = null;
    };
  }, []);

  useEffect(() => {
    const m = map.current;
    const group = layer.current;
    if (!m || !group) return;
    group.clearLayers();
    const placed = areas.filter((a) => a.latitude !== null && a.longitude !== null && a.level !== 'nation');
    for (const area of placed) {
      const count = counts[area.id] ?? 0;
      const marker = L.circleMarker([area.latitude!, area.longitude!], {
        radius: count ? 8 + Math.min(22, Math.sqrt(count) * 6) : 5,
        color: count ? '#b3261e' : '#777',
        weight: area.level === 'region' ? 1 : 2,
        fillOpacity: count ? 0.45 : 0.1,
        dashArray: area.level === 'region' ? '4 3' : undefined,
      });
      marker.bindTooltip(`${area.name}: ${count}`, { permanent: count > 0, direction: 'top' });
      if (onPick) marker.on('click', () => onPick(area.id));
      marker.addTo(group);
    }
    m.invalidateSize();
    if (placed.length) m.fitBounds(L.latLngBounds(placed.map((a) => [a.latitude!, a.longitude!] as [number, number])).pad(0.2), { maxZoom: 10 });
  }, [areas, counts]);

  const listed = areas.filter((a) => (counts[a.id] ?? 0) > 0);
  return (
    <figure class="card">
      <div ref={box} class="map" role="img" aria-label={label} />
      <figcaption class="small">
        {listed.length === 0 ? t('incidents.mapEmpty') : (
          <ul class="inline-list">
            {listed.map((a) => (
              <li>{onPick ? <button type="button" class="plain" onClick={() => onPick(a.id)}>{a.name}: {counts[a.id]}</button> : `${a.name}: ${counts[a.id]}`}</li>
            ))}
          </ul>
        )}
      </figcaption>
    </figure>
  );
}

/** GET /areas with each area named in the console's language (the API's rule: src/areas/names.ts). */
export const areasPath = (): string => `/areas${query({ lang: language() })}`;
