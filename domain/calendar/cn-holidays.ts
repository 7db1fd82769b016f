// Chinese statutory holidays and make-up working days (调休), copied from the State Council's yearly notices.
// Each year lists the notice it comes from; holidays are written as the notice writes them (first and last
// day of each break), make-up working days as the single weekend days the notice says are worked.
//
// Verified day by day against the `chinese-days` package in test/unit/calendar-data.unit.spec.ts; the two
// agree on every day of 2024–2026.
// Notes from the notices themselves:
// - 2024: New Year's Day and Dragon Boat Festival are one holiday each "与周末连休": the adjoining Saturday
//   and Sunday are ordinary weekend days, not holidays. New Year's Eve of the Spring Festival (2024-02-09)
//   is only "encouraged" as a day off (鼓励…安排职工在除夕休息), so it remains a working day.
// - 2025: the first year under the revised 全国年节及纪念日放假办法 (除夕 and 5月2日 added).
//
// A new year is added as a new entry and a new `version`; clocks record the version they were computed with.

export interface HolidayBreak {
  /** 元旦, 春节, 清明节, 劳动节, 端午节, 中秋节, 国庆节 */
  name: string;
  from: string;
  to: string;
}

export interface MakeupWorkday {
  date: string;
  /** The break the worked weekend day belongs to. */
  name: string;
}

export interface HolidayYear {
  year: number;
  notice: string;
  holidays: readonly HolidayBreak[];
  makeupWorkdays: readonly MakeupWorkday[];
}

export interface HolidayData {
  version: string;
  years: readonly HolidayYear[];
}

export const cnHolidays: HolidayData = {
  version: 'cn-holidays-2026.1',
  years: [
    {
      year: 2024,
      notice: '国务院办公厅关于2024年部分节假日安排的通知（国办发明电〔2023〕7号，2023年10月25日）',
      holidays: [
        { name: '元旦', from: '2024-01-01', to: '2024-01-01' },
        { name: '春节', from: '2024-02-10', to: '2024-02-17' },
        { name: '清明节', from: '2024-04-04', to: '2024-04-06' },
        { name: '劳动节', from: '2024-05-01', to: '2024-05-05' },
        { name: '端午节', from: '2024-06-10', to: '2024-06-10' },
        { name: '中秋节', from: '2024-09-15', to: '2024-09-17' },
        { name: '国庆节', from: '2024-10-01', to: '2024-10-07' },
      ],
      makeupWorkdays: [
        { date: '2024-02-04', name: '春节' },
        { date: '2024-02-18', name: '春节' },
        { date: '2024-04-07', name: '清明节' },
        { date: '2024-04-28', name: '劳动节' },
        { date: '2024-05-11', name: '劳动节' },
        { date: '2024-09-14', name: '中秋节' },
        { date: '2024-09-29', name: '国庆节' },
        { date: '2024-10-12', name: '国庆节' },
      ],
    },
    {
      year: 2025,
      notice: '国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号，2024年11月12日）',
      holidays: [
        { name: '元旦', from: '2025-01-01', to: '2025-01-01' },
        { name: '春节', from: '2025-01-28', to: '2025-02-04' },
        { name: '清明节', from: '2025-04-04', to: '2025-04-06' },
        { name: '劳动节', from: '2025-05-01', to: '2025-05-05' },
        { name: '端午节', from: '2025-05-31', to: '2025-06-02' },
        { name: '国庆节、中秋节', from: '2025-10-01', to: '2025-10-08' },
      ],
      makeupWorkdays: [
        { date: '2025-01-26', name: '春节' },
        { date: '2025-02-08', name: '春节' },
        { date: '2025-04-27', name: '劳动节' },
        { date: '2025-09-28', name: '国庆节、中秋节' },
        { date: '2025-10-11', name: '国庆节、中秋节' },
      ],
    },
    {
      year: 2026,
      notice: '国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日，新华社同日全文发布）',
      holidays: [
        { name: '元旦', from: '2026-01-01', to: '2026-01-03' },
        { name: '春节', from: '2026-02-15', to: '2026-02-23' },
        { name: '清明节', from: '2026-04-04', to: '2026-04-06' },
        { name: '劳动节', from: '2026-05-01', to: '2026-05-05' },
        { name: '端午节', from: '2026-06-19', to: '2026-06-21' },
        { name: '中秋节', from: '2026-09-25', to: '2026-09-27' },
        { name: '国庆节', from: '2026-10-01', to: '2026-10-07' },
      ],
      makeupWorkdays: [
        { date: '2026-01-04', name: '元旦' },
        { date: '2026-02-14', name: '春节' },
        { date: '2026-02-28', name: '春节' },
        { date: '2026-05-09', name: '劳动节' },
        { date: '2026-09-20', name: '国庆节' },
        { date: '2026-10-10', name: '国庆节' },
      ],
    },
  ],
};
