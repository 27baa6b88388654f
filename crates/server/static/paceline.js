// Paceline's pages work without this script; it adds what a pointer or a drop can do.
// - Charts: moving over a chart shows the value under the pointer (each chart carries its
//   per-column values in data-values) and a cursor line.
// - Upload: files dropped on the drop zone go into the form's file input.
// - Calendar: a session dragged onto another day is moved there by a form post (without the
//   script, the session form's day field moves it).
'use strict';

(() => {
  const clock = (seconds) => {
    const total = Math.round(seconds);
    const h = Math.floor(total / 3600);
    const m = Math.floor(total / 60) % 60;
    const s = total % 60;
    const pad = (n) => String(n).padStart(2, '0');
    return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
  };

  const readouts = () => {
    for (const svg of document.querySelectorAll('svg.line[data-values]')) {
      const values = svg.dataset.values.split(',');
      const left = Number(svg.dataset.left);
      const right = Number(svg.dataset.right);
      const x0 = Number(svg.dataset.x0);
      const x1 = Number(svg.dataset.x1);
      const axis = svg.closest('.charts')?.dataset.axis ?? 'time';
      const output = svg.closest('figure')?.querySelector('.readout');
      const cursor = svg.querySelector('.cursor');
      const show = (clientX) => {
        const box = svg.getBoundingClientRect();
        const scale = svg.viewBox.baseVal.width / box.width;
        const x = (clientX - box.left) * scale;
        const column = Math.floor(x - left);
        if (column < 0 || column >= values.length) return hide();
        const at = x0 + ((column + 0.5) / (right - left)) * (x1 - x0);
        const where = axis === 'time' ? clock(at) : `${at.toFixed(2)} ${axis}`;
        const value = values[column];
        if (output) output.textContent = value === '' ? `${where}: no value` : `${where}: ${value} ${svg.dataset.unit}`;
        if (cursor) {
          cursor.setAttribute('x1', x);
          cursor.setAttribute('x2', x);
          cursor.classList.add('on');
        }
      };
      const hide = () => {
        if (output) output.textContent = '';
        cursor?.classList.remove('on');
      };
      svg.addEventListener('pointermove', (event) => show(event.clientX));
      svg.addEventListener('pointerleave', hide);
    }
  };

  const dropZone = () => {
    const zone = document.querySelector('[data-drop]');
    const input = zone?.querySelector('input[type=file]');
    if (!zone || !input) return;
    const list = zone.querySelector('.chosen');
    const describe = () => {
      if (!list) return;
      const names = Array.from(input.files, (f) => f.name);
      list.textContent = names.length === 0 ? '' : `${names.length} file${names.length === 1 ? '' : 's'}: ${names.join(', ')}`;
    };
    for (const type of ['dragenter', 'dragover']) {
      zone.addEventListener(type, (event) => {
        event.preventDefault();
        zone.classList.add('over');
      });
    }
    for (const type of ['dragleave', 'drop']) {
      zone.addEventListener(type, () => zone.classList.remove('over'));
    }
    zone.addEventListener('drop', (event) => {
      event.preventDefault();
      if (event.dataTransfer?.files.length) {
        input.files = event.dataTransfer.files;
        describe();
      }
    });
    input.addEventListener('change', describe);
  };

  const calendarMoves = () => {
    const calendar = document.querySelector('.calendar[data-csrf]');
    if (!calendar) return;
    let dragged = null;
    for (const chip of calendar.querySelectorAll('[data-move]')) {
      chip.addEventListener('dragstart', (event) => {
        dragged = chip;
        chip.classList.add('dragging');
        event.dataTransfer.effectAllowed = 'move';
        event.dataTransfer.setData('text/plain', chip.dataset.move);
      });
      chip.addEventListener('dragend', () => {
        chip.classList.remove('dragging');
        dragged = null;
      });
    }
    for (const day of calendar.querySelectorAll('.day[data-date]')) {
      day.addEventListener('dragover', (event) => {
        if (!dragged) return;
        event.preventDefault();
        day.classList.add('over');
      });
      day.addEventListener('dragleave', () => day.classList.remove('over'));
      day.addEventListener('drop', (event) => {
        day.classList.remove('over');
        if (!dragged || dragged.closest('.day') === day) return;
        event.preventDefault();
        // A plain form post: the server answers with the calendar again.
        const form = document.createElement('form');
        form.method = 'post';
        form.action = dragged.dataset.move;
        form.hidden = true;
        for (const [name, value] of [['csrf', calendar.dataset.csrf], ['date', day.dataset.date], ['back', calendar.dataset.back]]) {
          const input = document.createElement('input');
          input.type = 'hidden';
          input.name = name;
          input.value = value;
          form.append(input);
        }
        day.querySelector('ul')?.append(dragged);
        document.body.append(form);
        form.submit();
      });
    }
  };

  const start = () => {
    readouts();
    dropZone();
    calendarMoves();
  };
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
