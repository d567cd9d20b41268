"use client";
// chart.js through react-chartjs-2. Only the pieces drawn here are registered, which keeps
// the bundle small. Each chart has an accessible name; the pages show the same numbers in
// tables for screen readers and copying.
import {
  ArcElement,
  BarElement,
  CategoryScale,
  Chart as ChartJS,
  Filler,
  Legend,
  LinearScale,
  LineElement,
  PointElement,
  Tooltip,
  type ChartOptions,
} from "chart.js";
import { Bar, Doughnut, Line } from "react-chartjs-2";
import { useI18n } from "@/components/i18n/i18n-provider";
import { isEmptyChart, type ChartData } from "./chart-data";

ChartJS.register(ArcElement, BarElement, CategoryScale, Filler, Legend, LinearScale, LineElement, PointElement, Tooltip);

function useNumberTicks() {
  const { fmt } = useI18n();
  return (value: number | string) => (typeof value === "number" ? fmt.compact(value) : value);
}

function Frame({ label, empty, children, tall = false }: { label: string; empty: boolean; children: React.ReactNode; tall?: boolean }) {
  const { t } = useI18n();
  return (
    <figure className={`relative w-full ${tall ? "h-72" : "h-60"}`} role="img" aria-label={label}>
      {empty ? <p className="flex h-full items-center justify-center text-sm text-slate-500">{t("common.noDataInRange")}</p> : children}
    </figure>
  );
}

export function StackedBarChart({ data, label, yTitle }: { data: ChartData; label: string; yTitle?: string }) {
  const ticks = useNumberTicks();
  const options: ChartOptions<"bar"> = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    interaction: { mode: "index", intersect: false },
    plugins: { legend: { position: "bottom" } },
    scales: {
      x: { stacked: true, ticks: { maxRotation: 0, autoSkipPadding: 12 } },
      y: { stacked: true, beginAtZero: true, ticks: { callback: ticks, precision: 0 }, title: { display: !!yTitle, text: yTitle } },
    },
  };
  return (
    <Frame label={label} empty={isEmptyChart(data)} tall>
      <Bar data={data} options={options} />
    </Frame>
  );
}

export function AreaChart({ data, label, yTitle }: { data: ChartData; label: string; yTitle?: string }) {
  const ticks = useNumberTicks();
  const options: ChartOptions<"line"> = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    interaction: { mode: "index", intersect: false },
    elements: { point: { radius: 0, hitRadius: 6 }, line: { tension: 0.25, borderWidth: 2 } },
    plugins: { legend: { position: "bottom" } },
    scales: {
      x: { ticks: { maxRotation: 0, autoSkipPadding: 12 } },
      y: { beginAtZero: true, ticks: { callback: ticks }, title: { display: !!yTitle, text: yTitle } },
    },
  };
  return (
    <Frame label={label} empty={isEmptyChart(data)}>
      <Line data={{ labels: data.labels, datasets: data.datasets.map((d) => ({ ...d, fill: true })) }} options={options} />
    </Frame>
  );
}

export function BarChart({ data, label }: { data: ChartData; label: string }) {
  const ticks = useNumberTicks();
  const options: ChartOptions<"bar"> = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    plugins: { legend: { display: false } },
    scales: { x: { ticks: { maxRotation: 0, autoSkipPadding: 8 } }, y: { beginAtZero: true, ticks: { callback: ticks, precision: 0 } } },
  };
  return (
    <Frame label={label} empty={isEmptyChart(data)}>
      <Bar data={data} options={options} />
    </Frame>
  );
}

export function DoughnutChart({ data, label }: { data: ChartData; label: string }) {
  const options: ChartOptions<"doughnut"> = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    plugins: { legend: { position: "right" } },
  };
  return (
    <Frame label={label} empty={isEmptyChart(data)}>
      <Doughnut data={data} options={options} />
    </Frame>
  );
}
